import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** The result files the suites write into results/, in the order the report shows them. */
export const SUITES = [
  'injection',
  'secrets',
  'faults',
  'load',
  'load-rest',
  'soak',
  'soak-rest',
  'bad-input',
] as const;
export type SuiteName = (typeof SUITES)[number];

/** A result file as the report found it: read, missing (the suite did not run), or unreadable. */
export type Loaded =
  | { status: 'ok'; file: string; data: unknown; modified: Date }
  | { status: 'missing'; file: string }
  | { status: 'unreadable'; file: string; error: string };

export async function loadResult(dir: string, name: string): Promise<Loaded> {
  const file = join(dir, `${name}.json`);
  let text: string;
  let modified: Date;
  try {
    [text, modified] = await Promise.all([readFile(file, 'utf8'), stat(file).then((s) => s.mtime)]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing', file };
    return { status: 'unreadable', file, error: (error as Error).message };
  }
  try {
    return { status: 'ok', file, data: JSON.parse(text) as unknown, modified };
  } catch (error) {
    return { status: 'unreadable', file, error: `not JSON: ${(error as Error).message}` };
  }
}

export async function loadResults(dir: string): Promise<Record<SuiteName, Loaded>> {
  const entries = await Promise.all(SUITES.map(async (name) => [name, await loadResult(dir, name)] as const));
  return Object.fromEntries(entries) as Record<SuiteName, Loaded>;
}

// Result files are written by other code and may lack fields: these read them without trusting them.

export type Json = Record<string, unknown>;

export function obj(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

export function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(obj) : [];
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function numbers(value: unknown): number[] {
  return Array.isArray(value) ? value.map(num).filter((n): n is number => n !== undefined) : [];
}
