// C0 and C1 controls, DEL, and the bidi overrides that can make text display as something else.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this regex's job.
const UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;
const LINE_BREAKS = /\r\n|[\r\n\t\u2028\u2029]/g;

/**
 * Text from a tenant or from pwsh, made safe to print: an escape sequence in a display name must not move
 * the cursor, recolour or retitle the user's terminal. Line breaks and tabs become spaces, so one value
 * stays on one line; every other control character becomes U+FFFD.
 */
export function terminalText(text: string): string {
  return text.replace(LINE_BREAKS, ' ').replace(UNSAFE, '\uFFFD');
}
