import { describe, expect, it } from 'vitest';
import { bestText, isThrottlingText, parseDetailMessage, parseErrorBody } from './error-body.js';

const NOT_FOUND_TYPE = 'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException';
const NOT_FOUND_TEXT =
  "The operation couldn't be performed because object 'nobody' couldn't be found on 'SBXPR01A001DC01.sandbox.exo.localhost'.";

/** The shape of a real InvokeCommand failure (Microsoft365DSC issue #2998), as the sandbox also sends it. */
const cmdletFailure = (message: string) =>
  JSON.stringify({
    error: {
      code: 'NotFound',
      message: 'Error executing cmdlet',
      details: [{ code: 'Context', target: '', message }],
      innererror: {
        message: 'Error executing cmdlet',
        type: 'Microsoft.Exchange.Admin.OData.Core.ODataServiceException',
        internalException: { message: NOT_FOUND_TEXT },
      },
    },
  });

describe('parseDetailMessage', () => {
  it('splits <code>|<exception type>|<message>, keeping a | inside the message', () => {
    expect(parseDetailMessage(`Ex6F9304|${NOT_FOUND_TYPE}|a | b`)).toEqual({
      code: 'Ex6F9304',
      exceptionType: NOT_FOUND_TYPE,
      message: 'a | b',
    });
  });

  it('reads the JSON form {Message, TypeName, …}', () => {
    const raw = JSON.stringify({
      Message: NOT_FOUND_TEXT,
      TypeName: NOT_FOUND_TYPE,
      ErrorCode: 'Ex6F9304',
      Other: 1,
    });
    expect(parseDetailMessage(raw)).toEqual({
      code: 'Ex6F9304',
      exceptionType: NOT_FOUND_TYPE,
      message: NOT_FOUND_TEXT,
    });
  });

  it('leaves any other text whole', () => {
    expect(parseDetailMessage('Something went wrong | twice')).toEqual({
      message: 'Something went wrong | twice',
    });
    expect(parseDetailMessage('{not json')).toEqual({ message: '{not json' });
  });
});

describe('parseErrorBody', () => {
  it('reads the OData error with the cmdlet detail in either form', () => {
    for (const detail of [
      `Ex6F9304|${NOT_FOUND_TYPE}|${NOT_FOUND_TEXT}`,
      JSON.stringify({ Message: NOT_FOUND_TEXT, TypeName: NOT_FOUND_TYPE }),
    ]) {
      const body = parseErrorBody(cmdletFailure(detail));
      expect(body).toMatchObject({
        code: 'NotFound',
        message: 'Error executing cmdlet',
        inner: NOT_FOUND_TEXT,
        plainText: false,
      });
      expect(body.detail).toMatchObject({ exceptionType: NOT_FOUND_TYPE, message: NOT_FOUND_TEXT });
      expect(bestText(body)).toBe(NOT_FOUND_TEXT);
    }
  });

  it('reads a service error without details, and OData v3 messages', () => {
    const body = parseErrorBody(
      JSON.stringify({
        error: { code: 'BadRequest', message: 'The request has no X-AnchorMailbox header.' },
      }),
    );
    expect(body).toEqual({
      code: 'BadRequest',
      message: 'The request has no X-AnchorMailbox header.',
      plainText: false,
    });
    const v3 = parseErrorBody(
      JSON.stringify({ 'odata.error': { code: 'x', message: { lang: 'en', value: 'old style' } } }),
    );
    expect(v3.message).toBe('old style');
  });

  it('keeps a plain-text body as its message and recognises the throttling replies', () => {
    const text =
      'You have reached the maximum number of concurrent requests per tenant. Please wait and try again.';
    const body = parseErrorBody(text);
    expect(body).toEqual({ message: text, plainText: true });
    expect(isThrottlingText(bestText(body))).toBe(true);
    expect(isThrottlingText('Micro delay applied. Actual delayed: 500 msecs')).toBe(true);
    expect(isThrottlingText(NOT_FOUND_TEXT)).toBe(false);
  });

  it("gives nothing for a bare reply (the service's 403)", () => {
    expect(parseErrorBody('')).toEqual({ plainText: false });
    expect(bestText(parseErrorBody(''))).toBeUndefined();
  });
});
