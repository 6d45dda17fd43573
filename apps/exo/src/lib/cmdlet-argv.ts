export interface CmdletArgv {
  /** exo's own arguments and flags: what oclif parses. */
  own: string[];
  /** The cmdlet's parameters, verbatim and in order: everything after the first `--`. */
  afterDashDash: string[] | undefined;
}

/**
 * Splits a command line at its first `--`. oclif re-sorts the arguments it returns by each one's first
 * position in argv, so two equal values (-DisplayName x … -Office x) would come back out of order; the
 * cmdlet's parameters after `--` are therefore taken from argv directly, never from oclif. (Before `--`
 * oclif refuses -Name elements as unknown flags, so only a bare positional value can be left over there.)
 */
export function splitAtDashDash(argv: readonly string[]): CmdletArgv {
  const end = argv.indexOf('--');
  if (end === -1) return { own: [...argv], afterDashDash: undefined };
  return { own: argv.slice(0, end), afterDashDash: argv.slice(end + 1) };
}
