import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SqsError } from "../../src/core/errors.js";
import { validateBody } from "../../src/core/sqs/message-attributes.js";

/** The characters SQS accepts in a body, straight from its error message. */
function allowed(code: number): boolean {
  return (
    code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || code >= 0x10000
  );
}

function refused(body: string): string | undefined {
  try {
    validateBody(body);
    return undefined;
  } catch (error) {
    assert.ok(error instanceof SqsError);
    assert.equal(error.code, "InvalidMessageContents");
    return error.message;
  }
}

describe("message body characters", () => {
  it("accepts exactly the XML character range, code unit by code unit, in one-byte and two-byte text", () => {
    for (let code = 0; code <= 0xffff; code++) {
      const char = String.fromCharCode(code);
      for (const body of [`plain ${char} text`, `caf\u00e9 \u4e2d ${char}`]) {
        const message = refused(body);
        assert.equal(message === undefined, allowed(code), `U+${code.toString(16)} in ${JSON.stringify(body.slice(0, 5))}`);
        if (message) assert.match(message, new RegExp(`'#x${code.toString(16).toUpperCase()}'`));
      }
    }
  });

  it("accepts surrogate pairs and refuses a lone surrogate wherever it stands", () => {
    assert.equal(refused("emoji \u{1F600} and \u{10FFFF}"), undefined);
    for (const body of ["\uD83D", "x\uDE00", "\uDE00\uD83D", "ok \u{1F600} then \uD83D"]) assert.ok(refused(body), JSON.stringify(body));
  });
});
