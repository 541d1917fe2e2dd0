/**
 * Delivery channels of confirmation codes, behind one interface: e-mail over SMTP, SMS through a
 * configurable HTTP gateway, and a development channel that appends codes to a file. A channel either
 * delivers or throws DeliveryError; it never logs the destination or the code in clear.
 */
import { appendFile } from "node:fs/promises";
import { createTransport, type Transporter } from "nodemailer";
import type { Logger } from "pino";
import type { ClientConfig, SmsGatewayConfig } from "../../infra/client-config.js";
import { maskEmail, maskPhone } from "../../infra/logger.js";

export type ChannelKind = "sms" | "email";

export interface CodeMessage {
  /** A normalized phone (+7…) for SMS, a lower-cased address for e-mail. */
  to: string;
  code: string;
  /** The whole text for the person, code included (Russian). */
  text: string;
  subject: string;
}

export interface DeliveryChannel {
  readonly kind: ChannelKind;
  readonly name: string;
  send(message: CodeMessage): Promise<void>;
}

export class DeliveryError extends Error {
  constructor(
    readonly channel: string,
    reason: string,
  ) {
    super(reason);
    this.name = "DeliveryError";
  }
}

export class SmtpChannel implements DeliveryChannel {
  readonly kind = "email" as const;
  readonly name = "smtp";
  private readonly transport: Transporter;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    this.transport = createTransport(url, {
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 15_000,
    } as never);
  }

  async send(message: CodeMessage): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
      });
    } catch (error) {
      throw new DeliveryError(this.name, `SMTP: ${(error as Error).message}`);
    }
  }
}

/** Fills a template's {phone} {code} {text} with values passed through `encode`. */
export function fillTemplate(template: string, message: CodeMessage, encode: (v: string) => string): string {
  const values: Record<string, string> = { phone: message.to, code: message.code, text: message.text };
  return template.replace(/\{(phone|code|text)\}/g, (_, name: string) => encode(values[name]!));
}

function bodyEscaper(headers: Record<string, string>): (v: string) => string {
  const type = Object.entries(headers).find(([k]) => k.toLowerCase() === "content-type")?.[1] ?? "";
  if (/json/i.test(type)) return (v) => JSON.stringify(v).slice(1, -1);
  if (/x-www-form-urlencoded/i.test(type)) return encodeURIComponent;
  return (v) => v;
}

export class HttpSmsChannel implements DeliveryChannel {
  readonly kind = "sms" as const;
  readonly name = "sms-gateway";

  constructor(private readonly gateway: SmsGatewayConfig) {}

  async send(message: CodeMessage): Promise<void> {
    const { url, method, headers, body, timeoutMs } = this.gateway;
    let response: Response;
    try {
      response = await fetch(fillTemplate(url, message, encodeURIComponent), {
        method,
        headers,
        ...(body !== null && method !== "GET"
          ? { body: fillTemplate(body, message, bodyEscaper(headers)) }
          : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
      // Drain the body so the connection is released.
      await response.arrayBuffer();
    } catch (error) {
      throw new DeliveryError(this.name, `SMS gateway unreachable: ${(error as Error).name}`);
    }
    if (!response.ok) throw new DeliveryError(this.name, `SMS gateway answered ${response.status}`);
  }
}

/** Development only: appends each code as a JSON line to a file; replaces the real channels. */
export class DevFileChannel implements DeliveryChannel {
  readonly name = "dev-file";

  constructor(
    readonly kind: ChannelKind,
    private readonly file: string,
  ) {}

  async send(message: CodeMessage): Promise<void> {
    const line = JSON.stringify({
      at: new Date().toISOString(),
      channel: this.kind,
      to: message.to,
      code: message.code,
    });
    try {
      await appendFile(this.file, `${line}\n`, { mode: 0o600 });
    } catch (error) {
      throw new DeliveryError(
        this.name,
        `cannot write ${this.file}: ${(error as NodeJS.ErrnoException).code}`,
      );
    }
  }
}

/** Masks anything that looks like an e-mail address or a phone number in a free text. */
export function scrub(text: string): string {
  return text
    .replace(/[^\s<>"'@]+@[^\s<>"']+/g, (m) => maskEmail(m))
    .replace(/\+?\d[\d\s()-]{8,}\d/g, (m) => maskPhone(m));
}

export function maskDestination(kind: ChannelKind, to: string): string {
  return kind === "sms" ? maskPhone(to) : maskEmail(to);
}

/** The configured channels; a kind without one is absent (sending to it is refused as not configured). */
export class Notifier {
  constructor(
    private readonly channels: Partial<Record<ChannelKind, DeliveryChannel>>,
    private readonly logger: Logger,
  ) {}

  static fromConfig(config: ClientConfig, logger: Logger): Notifier {
    const channels: Partial<Record<ChannelKind, DeliveryChannel>> = {};
    if (config.devCodesFile) {
      channels.sms = new DevFileChannel("sms", config.devCodesFile);
      channels.email = new DevFileChannel("email", config.devCodesFile);
      logger.warn(
        { file: config.devCodesFile },
        "confirmation codes are written to a file (DEV_CODES_FILE), not sent",
      );
    } else {
      if (config.smtpUrl) channels.email = new SmtpChannel(config.smtpUrl, config.smtpFrom);
      if (config.smsGateway) channels.sms = new HttpSmsChannel(config.smsGateway);
    }
    return new Notifier(channels, logger);
  }

  has(kind: ChannelKind): boolean {
    return this.channels[kind] !== undefined;
  }

  /** Sends or throws DeliveryError; logs only the masked destination. */
  async send(kind: ChannelKind, message: CodeMessage): Promise<void> {
    const channel = this.channels[kind];
    if (!channel) throw new DeliveryError(kind, `no ${kind} channel is configured`);
    const to = maskDestination(kind, message.to);
    try {
      await channel.send(message);
    } catch (error) {
      // An SMTP server's answer may quote the recipient: no address or number leaves in clear.
      const reason = scrub((error as Error).message);
      this.logger.warn({ channel: channel.name, to, reason }, "code delivery failed");
      throw error instanceof DeliveryError
        ? error
        : new DeliveryError(channel.name, (error as Error).message);
    }
    this.logger.info({ channel: channel.name, to }, "confirmation code sent");
  }
}
