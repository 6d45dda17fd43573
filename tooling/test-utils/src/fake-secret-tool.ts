import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A stand-in for libsecret's secret-tool with its documented contract: `store` reads the secret from stdin,
 * `lookup` prints it (exit 1, silent, when absent), `clear` exits 1 when nothing matched. Items are files
 * beside it (the test's own keychain); it logs its argv and whether EXO_PASSWORD reached it, so tests can
 * check what a real one would have seen. An account containing `locked@` fails as a locked keyring does.
 */
export const FAKE_SECRET_TOOL = `#!/bin/sh
PATH=/usr/bin:/bin
dir=\${0%/*}
printf '%s\\n' "$*" >> "$dir/argv.log"
printf '%s\\n' "\${EXO_PASSWORD:-unset}" >> "$dir/env.log"
action=$1; shift
[ "$action" = store ] && shift
key=$(printf '%s' "$*" | od -An -tx1 | tr -d ' \\n')
case "$*" in *locked@*) echo "secret-tool: Cannot create an item in a locked collection" >&2; exit 1;; esac
case "$action" in
  store) cat > "$dir/item-$key" ;;
  lookup) [ -f "$dir/item-$key" ] || exit 1; cat "$dir/item-$key" ;;
  clear) [ -f "$dir/item-$key" ] || exit 1; rm "$dir/item-$key" ;;
esac
`;

/** Writes the fake secret-tool into `bin` (created), executable; put `bin` first on PATH. */
export async function installFakeSecretTool(bin: string): Promise<string> {
  await mkdir(bin, { recursive: true });
  const path = join(bin, 'secret-tool');
  await writeFile(path, FAKE_SECRET_TOOL);
  await chmod(path, 0o755);
  return path;
}
