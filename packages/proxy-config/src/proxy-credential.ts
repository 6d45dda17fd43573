const REDACTED = '[redacted]';

/** What a proxy credential looks like when it is deliberately handed over (core's secret channel). */
export interface ProxyCredentialValue {
  userName: string;
  password: string;
}

/**
 * A proxy user name and password. The password lives in a private field: JSON.stringify, util.inspect,
 * template strings and console.log all show `[redacted]`, so a resolved options object can be logged or put in
 * an error without leaking it. Only `reveal()` hands it out, for the secret channel into pwsh.
 */
export class ProxyCredential {
  readonly userName: string;
  readonly #password: string;

  constructor(userName: string, password: string) {
    this.userName = userName;
    this.#password = password;
  }

  /** The user name and password in clear, for core's secret channel only; never log the result. */
  reveal(): ProxyCredentialValue {
    return { userName: this.userName, password: this.#password };
  }

  toJSON(): { userName: string; password: string } {
    return { userName: this.userName, password: REDACTED };
  }

  toString(): string {
    return `ProxyCredential(${this.userName}, ${REDACTED})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `ProxyCredential { userName: ${JSON.stringify(this.userName)}, password: ${REDACTED} }`;
  }
}
