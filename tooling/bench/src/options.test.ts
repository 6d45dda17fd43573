import { describe, expect, it } from 'vitest';
import { parseOnly, parseOptions } from './options.js';

describe('parseOptions', () => {
  it('defaults to the full run of all twelve scenarios with the issues’ counts', () => {
    const o = parseOptions([]);
    expect(o.mode).toBe('full');
    expect(o.only).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(o.restClient).toMatchObject({ mailboxes: 100_000, connections: 200, calls: 200 });
    expect(o.rest).toMatchObject({ mailboxes: 100_000, clients: 50 });
    expect(o.write).toBe(true);
    expect(o.warm.calls).toBe(200);
    expect(o.bulk).toMatchObject({ mailboxes: 100_000, objects: 100_000 });
    expect(o.concurrency).toMatchObject({ commands: 60, sessions: 3 });
  });

  it('shrinks counts and repetitions with --quick', () => {
    const full = parseOptions([]);
    const quick = parseOptions(['--quick']);
    expect(quick.mode).toBe('quick');
    expect(quick.bulk.mailboxes).toBeLessThan(full.bulk.mailboxes);
    expect(quick.connect.reps).toBeLessThan(full.connect.reps);
    expect(quick.warm.calls).toBeLessThan(full.warm.calls);
  });

  it('takes counts from flags, else from EXO_BENCH_* variables', () => {
    const env = { EXO_BENCH_REPS: '4', EXO_BENCH_MAILBOXES: '5000', EXO_BENCH_QUICK: '1' };
    const fromEnv = parseOptions([], env);
    expect(fromEnv.mode).toBe('quick');
    expect(fromEnv.connect.reps).toBe(4);
    expect(fromEnv.bulk.mailboxes).toBe(5000);
    const flagsWin = parseOptions(['--reps=2', '--mailboxes', '300'], env);
    expect(flagsWin.connect.reps).toBe(2);
    expect(flagsWin.concurrency.rounds).toBe(2);
    expect(flagsWin.bulk.mailboxes).toBe(300);
  });

  it('refuses bad numbers and unknown flags', () => {
    expect(() => parseOptions(['--reps=0'])).toThrow(/--reps/);
    expect(() => parseOptions(['--calls=ten'])).toThrow(/--calls/);
    expect(() => parseOptions(['--mailboxes=100001'])).toThrow(/100000/);
    expect(() => parseOptions(['--fast'])).toThrow();
  });

  it('reads --no-write, --out and --help', () => {
    const o = parseOptions(['--no-write', '--out=/tmp/x', '--help']);
    expect(o).toMatchObject({ write: false, out: '/tmp/x', help: true });
  });
});

describe('parseOnly', () => {
  it('takes numbers and names, drops duplicates and sorts into run order', () => {
    expect(parseOnly('bulk,1, 3 ,CLI')).toEqual([1, 3, 5]);
    expect(parseOnly('6,module')).toEqual([6]);
  });

  it('expands rest-client to the rest strategy’s five scenarios', () => {
    expect(parseOnly('rest-client')).toEqual([8, 9, 10, 11, 12]);
    expect(parseOnly('rest-stream,1')).toEqual([1, 10]);
  });

  it('refuses unknown scenarios and an empty list', () => {
    expect(() => parseOnly('13')).toThrow(/unknown scenario "13"/);
    expect(() => parseOnly(' , ')).toThrow(/at least one/);
  });
});
