import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, maskEmail, maskPhone } from "../../src/infra/logger.js";

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { sink, text: () => lines.join("") };
}

describe("logs", () => {
  it("redact secrets, tokens and confirmation codes, and mask phones and emails", () => {
    const { sink, text } = capture();
    const log = createLogger("info", sink);
    log.info(
      {
        client: { phone: "+79161234567", email: "ivan@mail.ru", confirmationCode: "4321" },
        credential: { secret: "s3cr3t-value" },
        password: "hunter2-password",
        session: { token: "tok-abcdef" },
        req: { headers: { authorization: "Bearer abc.def", cookie: "sid=xyz-cookie" } },
      },
      "registered",
    );
    const out = text();
    for (const clear of [
      "79161234567",
      "ivan@mail.ru",
      "4321",
      "s3cr3t-value",
      "hunter2-password",
      "tok-abcdef",
      "abc.def",
      "xyz-cookie",
    ])
      expect(out).not.toContain(clear);
    expect(out).toContain("[redacted]");
    const line = JSON.parse(out) as { client: { phone: string; email: string } };
    expect(line.client.phone).toBe("+7916***4567");
    expect(line.client.email).toBe("i***@mail.ru");
  });

  it("keeps the codes an operator needs: error codes and store codes", () => {
    const { sink, text } = capture();
    const log = createLogger("info", sink);
    const err = Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });
    log.warn({ err, store: { code: "MSK-01" }, code: "CARD_BLOCKED" }, "refused");
    const line = JSON.parse(text()) as { err: { code: string }; store: { code: string }; code: string };
    expect(line.err.code).toBe("SQLITE_BUSY");
    expect(line.store.code).toBe("MSK-01");
    expect(line.code).toBe("CARD_BLOCKED");
  });

  it("writes for people when asked", () => {
    const { sink, text } = capture();
    createLogger("info", { destination: sink, format: "pretty" }).info(
      { store: { code: "MSK-01" } },
      "hello",
    );
    expect(text()).toContain("hello");
    expect(() => JSON.parse(text())).toThrow();
  });

  it("masks personal data that code logs on purpose", () => {
    expect(maskPhone("+7 (916) 123-45-67")).toBe("+7916***4567");
    expect(maskEmail("ivan.petrov@mail.ru")).toBe("i***@mail.ru");
  });
});
