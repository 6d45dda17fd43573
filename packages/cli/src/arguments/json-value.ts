/** A value that survives JSON unchanged: what parameters and config values are made of. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
