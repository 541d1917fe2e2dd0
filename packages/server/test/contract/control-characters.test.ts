import {
  allowControlCharacters,
  controlCharacterGuardPattern,
  guardControlCharacters,
  isControlCharacterGuard,
  patternExcludesControlCharacters,
} from "@kopilka/contract";
import { Type } from "typebox";
import { describe, expect, it } from "vitest";

const accepts = (pattern: string, value: string) => new RegExp(pattern, "u").test(value);

describe("the control-character guard of request schemas", () => {
  it("refuses NUL, other C0 controls and DEL; keeps tab and line breaks", () => {
    const guard = controlCharacterGuardPattern();
    expect(isControlCharacterGuard(guard)).toBe(true);
    for (let c = 0; c < 0x20; c++) {
      const allowed = c === 0x09 || c === 0x0a || c === 0x0d;
      expect(accepts(guard, `a${String.fromCharCode(c)}b`), `U+${c.toString(16)}`).toBe(allowed);
    }
    expect(accepts(guard, "a\u007fb")).toBe(false);
    expect(accepts(guard, "Аптека №1 «Плюс» — 10%")).toBe(true);
  });

  it("guards every string of a schema, nested, optional and nullable ones too, without changing the original", () => {
    const Item = Type.Object({
      sku: Type.String({ maxLength: 64 }),
      note: Type.Optional(Type.Union([Type.String(), Type.Null()])),
      tags: Type.Array(Type.String()),
      code: Type.String({ pattern: "^[A-Z0-9-]+$" }),
      free: Type.String({ pattern: "^.+$" }),
      kind: Type.Union([Type.Literal("a"), Type.Literal("b")]),
    });
    const schema = Type.Object({ items: Type.Array(Item) });
    const guarded = guardControlCharacters(schema) as unknown as {
      properties: { items: { items: { properties: Record<string, Record<string, unknown>> } } };
    };
    const props = guarded.properties.items.items.properties;
    expect(isControlCharacterGuard(props.sku!.pattern as string)).toBe(true);
    expect(isControlCharacterGuard((props.note!.anyOf as Record<string, string>[])[0]!.pattern!)).toBe(true);
    expect(isControlCharacterGuard((props.tags!.items as Record<string, string>).pattern!)).toBe(true);
    // A pattern of printable characters only already refuses them; a looser one gets the guard beside it.
    expect(props.code!.pattern).toBe("^[A-Z0-9-]+$");
    expect(props.code!.allOf).toBeUndefined();
    expect(props.free!.pattern).toBe("^.+$");
    expect(isControlCharacterGuard((props.free!.allOf as Record<string, string>[])[0]!.pattern!)).toBe(true);
    expect(JSON.stringify(schema)).not.toContain("u0000");
  });

  it("a field may opt in to the control characters it carries (a DataMatrix code's GS), never NUL", () => {
    const QrCode = allowControlCharacters(Type.String({ maxLength: 512 }), "\u001d");
    const guarded = guardControlCharacters(Type.Object({ qr_code: QrCode })) as unknown as {
      properties: { qr_code: { pattern: string } };
    };
    const { pattern } = guarded.properties.qr_code;
    expect(accepts(pattern, "010460\u001d21abc\u001d91ee")).toBe(true);
    expect(accepts(pattern, "0104\u0000")).toBe(false);
    expect(accepts(pattern, "0104\u001e")).toBe(false);
    expect(() => allowControlCharacters(Type.String(), "\u0000")).toThrow(/NUL/);
  });

  it("tells patterns that can only match printable text from those that cannot be trusted", () => {
    for (const safe of ["^[A-Za-z0-9._:/-]+$", "^[0-9]{1,3}$", "^\\d+$", "^[ -~]*$", "^a\\.b$"]) {
      expect(patternExcludesControlCharacters(safe), safe).toBe(true);
    }
    for (const unsafe of [
      "^.+$",
      "^[^x]+$",
      "^\\s*$",
      "^\\S+$",
      "^[\\x00-\\x7f]+$",
      "^\\u0000$",
      "^[а-я]+$",
      "^\\W$",
    ]) {
      expect(patternExcludesControlCharacters(unsafe), unsafe).toBe(false);
    }
  });
});
