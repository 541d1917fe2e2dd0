/**
 * loyalty.ini, as Artix keeps it (`/linuxcash/cash/conf/ncash.ini.d/loyalty.ini`), plus the emulator's
 * own sections:
 *
 *   [LoyaltySystem]
 *   ; show the loyalty system's messages to the cashier (default true)
 *   allowMessagesToCashier = true
 *
 *   [Kopilka]
 *   url = http://127.0.0.1:8080
 *   login = demo-pos-msk-1
 *   secret = demo-secret
 *   store = MSK-01
 *   pos = POS-1
 *   order = print-then-confirm          ; or confirm-then-print
 *   upgradeLevelAtConfirm = false       ; true: each confirm moves the card up when its base allows
 *   outbox = ./kopilka-pos-outbox.db
 *   language = ru
 *
 *   [CardGroup demo]
 *   loyaltySystem = kopilka
 *   program = main
 *   ranges = 2000000000001-2000000010000
 *   prefixes = 777, 778
 */
import type { Language } from "@kopilka/contract";
import type { CardGroup, SaleOrder } from "@kopilka/pos-sdk";

export type IniSections = Map<string, Map<string, string>>;

/** Sections and keys (keys case-insensitive); `;` and `#` start comments; values may be quoted. */
export function parseIni(text: string): IniSections {
  const sections: IniSections = new Map();
  let current = new Map<string, string>();
  sections.set("", current);
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith(";") || line.startsWith("#")) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      const name = section[1]!.trim();
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      continue;
    }
    const eq = line.indexOf("=");
    if (eq <= 0) throw new Error(`loyalty.ini line ${i + 1}: expected key = value`);
    let value = line.slice(eq + 1).trim();
    const quoted = /^"(.*)"$/.exec(value);
    if (quoted) value = quoted[1]!;
    else value = value.replace(/\s+[;#].*$/, "");
    current.set(line.slice(0, eq).trim().toLowerCase(), value);
  }
  return sections;
}

export interface PosConfig {
  allowMessagesToCashier: boolean;
  url: string;
  login: string;
  secret: string;
  store: string;
  pos: string;
  order: SaleOrder;
  outbox: string;
  language: Language;
  cardGroups: CardGroup[];
  upgradeLevelAtConfirm: boolean;
}

export const DEFAULT_CONFIG: PosConfig = {
  allowMessagesToCashier: true,
  url: "http://127.0.0.1:8080",
  login: "demo-pos-msk-1",
  secret: "demo-secret",
  store: "MSK-01",
  pos: "POS-1",
  order: "print-then-confirm",
  outbox: "./kopilka-pos-outbox.db",
  language: "ru",
  upgradeLevelAtConfirm: false,
  cardGroups: [
    {
      name: "demo",
      loyaltySystem: "kopilka",
      programCode: "main",
      ranges: [{ from: "2000000000001", to: "2000000010000" }],
    },
  ],
};

function bool(value: string, key: string): boolean {
  if (/^(true|1|yes|on)$/i.test(value)) return true;
  if (/^(false|0|no|off)$/i.test(value)) return false;
  throw new Error(`loyalty.ini: ${key} must be true or false, not "${value}"`);
}

const list = (v: string | undefined) =>
  (v ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

export function configFromIni(text: string, base: PosConfig = DEFAULT_CONFIG): PosConfig {
  const ini = parseIni(text);
  const find = (name: string) =>
    [...ini.entries()].find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1] ??
    new Map<string, string>();
  const loyalty = find("LoyaltySystem");
  const k = find("Kopilka");
  const order = k.get("order") ?? base.order;
  if (order !== "print-then-confirm" && order !== "confirm-then-print")
    throw new Error(`loyalty.ini: order must be print-then-confirm or confirm-then-print, not "${order}"`);
  const language = k.get("language") ?? base.language;
  if (language !== "ru" && language !== "en") throw new Error(`loyalty.ini: language must be ru or en`);
  const groups: CardGroup[] = [];
  for (const [name, values] of ini) {
    const m = /^CardGroup\s+(.+)$/i.exec(name);
    if (!m) continue;
    groups.push({
      name: m[1]!.trim(),
      loyaltySystem: values.get("loyaltysystem") ?? "kopilka",
      ...(values.get("program") ? { programCode: values.get("program")! } : {}),
      prefixes: list(values.get("prefixes")),
      ranges: list(values.get("ranges")).map((r) => {
        const [from, to] = r.split("-").map((s) => s.trim());
        if (!from || !to) throw new Error(`loyalty.ini [${name}]: a range is FROM-TO, not "${r}"`);
        return { from, to };
      }),
    });
  }
  return {
    allowMessagesToCashier: loyalty.has("allowmessagestocashier")
      ? bool(loyalty.get("allowmessagestocashier")!, "allowMessagesToCashier")
      : base.allowMessagesToCashier,
    url: k.get("url") ?? base.url,
    login: k.get("login") ?? base.login,
    secret: k.get("secret") ?? base.secret,
    store: k.get("store") ?? base.store,
    pos: k.get("pos") ?? base.pos,
    order,
    outbox: k.get("outbox") ?? base.outbox,
    language,
    cardGroups: groups.length ? groups : base.cardGroups,
    upgradeLevelAtConfirm: k.has("upgradelevelatconfirm")
      ? bool(k.get("upgradelevelatconfirm")!, "upgradeLevelAtConfirm")
      : base.upgradeLevelAtConfirm,
  };
}
