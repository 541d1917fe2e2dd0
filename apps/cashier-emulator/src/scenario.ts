/**
 * Scenarios: a YAML file of cashier actions, played in order. Each step is one key:
 *
 *   receipt: "000042"            start a new receipt with this number
 *   scan: {sku|barcode, qty, price, name}    add a line (price in rubles, qty in units: "1.5")
 *   remove: "1"                  remove line 1
 *   qty: {line: "1", qty: 3}     set a line's quantity
 *   card: "2000000000002"        add a card
 *   removeCard: true
 *   promo: SPRING                add a promo code (the server checks it first; a bad one stays off)
 *   level: check | apply         the card's level: what it reaches, or move it up now
 *   payment: true                go to payment (calculate); a message keeps goods mode: repeat
 *   spend: 500                   pay 500 points
 *   back: true                   back to goods (cancels)
 *   pay: {fn, fd, fpd}           close: print then confirm, or send then print (by `order`)
 *   printFailed: true            the printer failed after the server confirmed (confirm-then-print)
 *   refund: {receipt: "000042", lines: [{line: "1", qty: 1}]}     refund by the original receipt
 *   register: {name, phone, email, card, code | codesFile, attach: virtual | CARD}
 *   identify: {phone | email, code | codesFile}
 *   network: down | up           pull or plug the network cable
 *   drain: 10                    deliver the outbox, waiting up to 10 s
 *   say: text                    a comment on the screen
 *
 * Top-level keys: `order` and `allowMessagesToCashier` override loyalty.ini; `steps` is the list.
 */
import { parse } from "yaml";
import type { Till } from "./till.js";

export interface Scenario {
  order?: "print-then-confirm" | "confirm-then-print";
  allowMessagesToCashier?: boolean;
  steps: Record<string, unknown>[];
}

const STEPS = new Set([
  "receipt",
  "scan",
  "remove",
  "qty",
  "card",
  "removeCard",
  "promo",
  "level",
  "payment",
  "spend",
  "back",
  "pay",
  "printFailed",
  "refund",
  "register",
  "identify",
  "network",
  "drain",
  "say",
]);

export function parseScenario(text: string): Scenario {
  const doc = parse(text) as Partial<Scenario> | null;
  if (!doc || !Array.isArray(doc.steps)) throw new Error("a scenario needs a list of steps");
  for (const [i, step] of doc.steps.entries()) {
    const keys = step && typeof step === "object" ? Object.keys(step) : [];
    if (keys.length !== 1 || !STEPS.has(keys[0]!))
      throw new Error(`step ${i + 1}: expected one of ${[...STEPS].join(", ")}, got ${JSON.stringify(step)}`);
  }
  return doc as Scenario;
}

type Obj = Record<string, unknown>;
const str = (v: unknown) => (v === undefined || v === null ? undefined : String(v));

/** Plays the steps; returns how many outbox items are still pending at the end. */
export async function play(scenario: Scenario, till: Till): Promise<void> {
  for (const step of scenario.steps) {
    const [key, value] = Object.entries(step)[0]!;
    const v = value as Obj;
    switch (key) {
      case "receipt":
        till.newSession(String(value));
        till.screen.say("goods", till.screen.w.newReceipt(String(value)));
        break;
      case "scan":
        till.scan({
          ...(str(v.sku) ? { sku: str(v.sku)! } : {}),
          ...(str(v.barcode) ? { barcode: str(v.barcode)! } : {}),
          ...(str(v.name) ? { name: str(v.name)! } : {}),
          qty: str(v.qty) ?? "1",
          price: str(v.price) ?? "0",
        });
        break;
      case "remove":
        till.removeLine(String(value));
        break;
      case "qty":
        till.setQuantity(String(v.line), String(v.qty));
        break;
      case "card":
        await till.card(String(value));
        break;
      case "removeCard":
        till.removeCard();
        break;
      case "promo":
        await till.promo(String(value));
        break;
      case "level":
        await till.level(String(value) === "apply");
        break;
      case "payment":
        await till.payment();
        break;
      case "spend":
        await till.spend(String(value));
        break;
      case "back":
        await till.back();
        break;
      case "pay":
        await till.pay(
          value && typeof value === "object" ? (v as { fn?: string; fd?: string; fpd?: string }) : {},
        );
        break;
      case "printFailed":
        till.printFailed();
        break;
      case "refund":
        await till.refund(
          String(v.receipt),
          Array.isArray(v.lines)
            ? (v.lines as Obj[]).map((l) => ({
                line: String(l.line),
                ...(l.qty !== undefined ? { qty: String(l.qty) } : {}),
              }))
            : undefined,
          str(v.number),
        );
        break;
      case "register":
        await till.register({
          ...(str(v.name) ? { name: str(v.name)! } : {}),
          ...(str(v.phone) ? { phone: str(v.phone)! } : {}),
          ...(str(v.email) ? { email: str(v.email)! } : {}),
          ...(str(v.card) ? { card: str(v.card)! } : {}),
          ...(str(v.code) ? { code: str(v.code)! } : {}),
          ...(str(v.codesFile) ? { codesFile: str(v.codesFile)! } : {}),
          ...(str(v.attach) ? { attach: str(v.attach)! } : {}),
        });
        break;
      case "identify":
        await till.identify({
          ...(str(v.phone) ? { phone: str(v.phone)! } : {}),
          ...(str(v.email) ? { email: str(v.email)! } : {}),
          ...(str(v.code) ? { code: str(v.code)! } : {}),
          ...(str(v.codesFile) ? { codesFile: str(v.codesFile)! } : {}),
        });
        break;
      case "network":
        till.networkUp = String(value) === "up";
        till.screen.say("outbox", till.screen.w.network(till.networkUp));
        break;
      case "drain":
        await till.drain(Number(value) || 10);
        break;
      case "say":
        till.screen.raw(`# ${String(value)}`);
        break;
    }
  }
}
