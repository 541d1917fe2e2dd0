import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, maskEmail, maskPhone } from "../../src/infra/logger.js";

describe("logs", () => {
  it("redact secrets, phones, emails and codes", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createLogger("info", sink);
    log.info(
      { client: { phone: "+79161234567", email: "ivan@mail.ru", code: "4321" }, credential: { secret: "s" } },
      "registered",
    );
    const text = lines.join("");
    for (const clear of ["79161234567", "ivan@mail.ru", "4321", '"s"']) expect(text).not.toContain(clear);
    expect(text).toContain("[redacted]");
  });

  it("masks personal data that code logs on purpose", () => {
    expect(maskPhone("+7 (916) 123-45-67")).toBe("+7916***4567");
    expect(maskEmail("ivan.petrov@mail.ru")).toBe("i***@mail.ru");
  });
});
