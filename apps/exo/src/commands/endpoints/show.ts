import { getEnvironment } from '@exo-connect/env-endpoints';
import { sandboxEnvironment } from '@exo-connect/sandbox';
import { Args } from '@oclif/core';
import { BaseCommand } from '../../lib/base-command.js';

export default class EndpointsShow extends BaseCommand {
  static override summary = 'Show every endpoint of one environment.';
  static override examples = [
    '<%= config.bin %> endpoints show gcc-high',
    '<%= config.bin %> endpoints show 21vianet --json',
  ];
  static override args = { id: Args.string({ description: 'Environment id or alias.', required: true }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(EndpointsShow);
    const environment = ['sandbox', 'local'].includes(args.id.toLowerCase())
      ? sandboxEnvironment()
      : getEnvironment(args.id, { allowRetired: true });
    if (flags.json) {
      this.log(JSON.stringify(environment, null, 2));
      return;
    }
    const e = environment;
    const lines: Array<[string, string | undefined]> = [
      ['id', e.id],
      ['aliases', e.aliases.join(', ') || '—'],
      ['name', e.displayName],
      ['status', e.status.state === 'retired' ? `retired ${e.status.date}: ${e.status.note}` : 'active'],
      ['default strategy', e.defaultStrategy],
      ['rps uri', e.rps?.connectionUri],
      ['rps authentication', e.rps?.authentication],
      ['rps allow redirection', e.rps ? String(e.rps.allowRedirection) : undefined],
      [
        'rps status',
        e.rps ? (e.rps.status.state === 'retired' ? `retired ${e.rps.status.date}` : 'active') : undefined,
      ],
      ['module environment', e.module?.exchangeEnvironmentName],
      ['module uri', e.module?.connectionUri],
      ['sign-in authority', e.module?.azureADAuthorizationEndpointUri],
      ['rest api', e.rest ? [e.rest.apiUrl, ...(e.rest.alternateApiUrls ?? [])].join(', ') : undefined],
      ['rest authority', e.rest?.authority],
      ['rest scope', e.rest?.scope],
      ['compliance uri', e.compliance?.rpsConnectionUri],
      ['eop uri', e.eop?.rpsConnectionUri],
      ['prelude', e.prelude?.modules.join(', ')],
      ['documentation', e.documentation],
    ];
    const width = Math.max(...lines.map(([k]) => k.length));
    for (const [key, value] of lines) if (value !== undefined) this.log(`${key.padEnd(width)}  ${value}`);
  }
}
