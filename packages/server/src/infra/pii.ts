/**
 * Personal data at rest. A phone or an e-mail address is stored twice: as a keyed hash (HMAC-SHA256) of
 * its normalized form, so an exact lookup is an index seek, and encrypted (AES-256-GCM), so it can be
 * shown and exported. A database dump alone reveals neither. Both derive from one 32-byte key that
 * lives outside the database: PII_KEY, or a key file generated beside the embedded database.
 *
 * Rotation: with PII_KEY_PREVIOUS set, values encrypted under the previous key still decrypt and their
 * old hashes are still searched; `kopilka pii:rekey` rewrites every row under the current key.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseKey } from "./client-config.js";
import type { Config } from "./config.js";
import { ConfigError } from "./config.js";

interface DerivedKey {
  id: string;
  encryption: Buffer;
  hashing: Buffer;
  codes: Buffer;
}

function derive(master: Buffer): DerivedKey {
  const sub = (label: string) => createHmac("sha256", master).update(label).digest();
  return {
    id: createHash("sha256").update(master).digest("hex").slice(0, 8),
    encryption: sub("kopilka/pii/encryption/v1"),
    hashing: sub("kopilka/pii/hashing/v1"),
    codes: sub("kopilka/confirmation-codes/v1"),
  };
}

export class PersonalDataCipher {
  private readonly current: DerivedKey;
  private readonly previous: DerivedKey | null;

  constructor(key: Buffer, previousKey: Buffer | null = null) {
    if (key.length !== 32) throw new Error("the personal-data key must be 32 bytes");
    this.current = derive(key);
    this.previous = previousKey ? derive(previousKey) : null;
  }

  /** The id of the current key, as stored in front of every ciphertext. */
  get keyId(): string {
    return this.current.id;
  }

  /** The keyed hash of a normalized value under the current key. */
  hash(value: string): string {
    return createHmac("sha256", this.current.hashing).update(value).digest("base64url");
  }

  /** Hashes to search for: the current key's and, during a rotation, the previous key's. */
  lookupHashes(value: string): string[] {
    const hashes = [this.hash(value)];
    if (this.previous)
      hashes.push(createHmac("sha256", this.previous.hashing).update(value).digest("base64url"));
    return hashes;
  }

  /** `keyId.iv.tag.ciphertext`, base64url; a fresh random IV per value. */
  encrypt(value: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.current.encryption, iv);
    const data = Buffer.concat([cipher.update(value, "utf8"), cipher.final()]);
    return [
      this.current.id,
      iv.toString("base64url"),
      cipher.getAuthTag().toString("base64url"),
      data.toString("base64url"),
    ].join(".");
  }

  decrypt(stored: string): string {
    const [keyId, iv, tag, data] = stored.split(".");
    const key = keyId === this.current.id ? this.current : keyId === this.previous?.id ? this.previous : null;
    if (!key || iv === undefined || tag === undefined || data === undefined) {
      throw new Error(`personal data encrypted under an unknown key ${keyId}: set PII_KEY_PREVIOUS`);
    }
    const decipher = createDecipheriv("aes-256-gcm", key.encryption, Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString(
      "utf8",
    );
  }

  /** True when the value was encrypted under the current key (a rekey may skip it). */
  isCurrent(stored: string): boolean {
    return stored.startsWith(`${this.current.id}.`);
  }

  /** HMAC of a confirmation code bound to its confirmation, so equal codes never share a hash. */
  codeHash(confirmationId: string, code: string): string {
    return createHmac("sha256", this.current.codes).update(`${confirmationId}:${code}`).digest("base64url");
  }
}

/** Where the generated key lives when PII_KEY is not set: beside the SQLite file, or ./data. */
export function keyFilePath(config: Config): string {
  if (config.clients.piiKeyFile) return resolve(config.clients.piiKeyFile);
  if (config.databaseUrl.startsWith("sqlite:")) {
    const path = config.databaseUrl.slice("sqlite:".length);
    if (path !== ":memory:") return join(dirname(resolve(path)), "kopilka.key");
  }
  return resolve("data", "kopilka.key");
}

export interface ResolvedKey {
  cipher: PersonalDataCipher;
  /** Set when this call created the key file: the operator must back it up. */
  generatedFile: string | null;
}

/**
 * The key from PII_KEY; otherwise from the key file, created on first use outside production. In
 * production an explicit key (PII_KEY or an existing PII_KEY_FILE) is required: a key generated on a
 * server's disk is too easily lost with the machine, and with it every phone and address.
 */
export function resolvePersonalDataKey(config: Config): ResolvedKey {
  const { piiKey, piiKeyPrevious, production, piiKeyFile } = config.clients;
  if (piiKey) return { cipher: new PersonalDataCipher(piiKey, piiKeyPrevious), generatedFile: null };
  const file = keyFilePath(config);
  if (existsSync(file)) {
    const key = parseKey(readFileSync(file, "utf8").trim());
    if (!key) throw new ConfigError([`PII key file ${file}: expected 32 bytes as 64 hex digits or base64`]);
    return { cipher: new PersonalDataCipher(key, piiKeyPrevious), generatedFile: null };
  }
  if (production) {
    throw new ConfigError([
      piiKeyFile
        ? `PII_KEY_FILE: ${file} does not exist`
        : "PII_KEY: required with NODE_ENV=production (32 bytes as 64 hex digits or base64; generate one with `openssl rand -hex 32`)",
    ]);
  }
  const key = randomBytes(32);
  mkdirSync(dirname(file), { recursive: true });
  // wx: never overwrite a key another process has just written.
  try {
    writeFileSync(file, `${key.toString("hex")}\n`, { mode: 0o600, flag: "wx" });
    chmodSync(file, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return resolvePersonalDataKey(config);
    throw error;
  }
  return { cipher: new PersonalDataCipher(key, piiKeyPrevious), generatedFile: file };
}
