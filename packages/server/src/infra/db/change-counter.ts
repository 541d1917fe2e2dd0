/**
 * Change counters in `server_settings`: one row per cached kind of data (programs, the catalogue, stores). A
 * write moves its counter in the writer's transaction; every process polls the counter (one indexed
 * single-row read) and drops what it cached when the counter moved. The owning module decides the key;
 * this file only knows how to move and read one, and how a cache watches it (`ChangeWatch`).
 */
import { sql } from "kysely";
import type { Database, Executor } from "./database.js";

/** Moves made by this process, per key: its own caches watch for their commit (ChangeWatch). */
const movedHere = new Map<string, number>();

export async function bumpChangeCounter(db: Executor, key: string): Promise<void> {
  // One statement, so that two first moves cannot both insert "1" (and lose one move).
  await db
    .insertInto("server_settings")
    .values({ key, value: "1" })
    .onConflict((oc) =>
      oc
        .column("key")
        .doUpdateSet({ value: sql<string>`cast(cast(server_settings.value as integer) + 1 as text)` }),
    )
    .execute();
  movedHere.set(key, (movedHere.get(key) ?? 0) + 1);
}

export async function readChangeCounter(db: Executor, key: string): Promise<string> {
  const row = await db
    .selectFrom("server_settings")
    .select("value")
    .where("key", "=", key)
    .executeTakeFirst();
  return row?.value ?? "0";
}

/** How many moves of `key` this process has made: a cache that saw fewer looks at the counter again. */
function movesMadeHere(key: string): number {
  return movedHere.get(key) ?? 0;
}

/** The committed counter, as a prepared read outside any transaction (the hot path's poll). */
export async function committedChangeCounter(database: Database, key: string): Promise<string> {
  const rows = await database.prepareRead<{ value: string }>(
    "select value from server_settings where key = ?",
  )([key]);
  return rows[0]?.value ?? "0";
}

/**
 * How long a cache looks at the committed counter on every read after a move made by its own process: the
 * move is counted when the counter is bumped, inside a transaction that commits later (or rolls back).
 */
const LOCAL_MOVE_WATCH_MS = 1_000;

/**
 * A cache's watch over its own process's moves of a counter: they are counted when the counter is bumped,
 * inside a transaction that commits later (or rolls back), so after one the cache reads the committed
 * counter on every read, for LOCAL_MOVE_WATCH_MS at most, until it has seen it move (`seenCommitted`).
 */
export class OwnMoves {
  private movesSeen = 0;
  private until = Number.NEGATIVE_INFINITY;

  constructor(private readonly key: string) {}

  /** Whether this process moved the counter since the last look; the watch starts then. */
  movedSince(t: number): boolean {
    const moves = movesMadeHere(this.key);
    if (moves === this.movesSeen) return false;
    this.movesSeen = moves;
    this.until = t + LOCAL_MOVE_WATCH_MS;
    return true;
  }

  /** Whether reads must look at the committed counter now. */
  watching(t: number): boolean {
    return t < this.until;
  }

  /** The committed counter has moved: the watch ends. */
  seenCommitted(): void {
    this.until = Number.NEGATIVE_INFINITY;
  }
}

/**
 * When a process-local cache must drop what it holds: within `checkEveryMs` of a move committed by another
 * process, and at the first read after the commit of a move made by this one. This process's move is
 * seen when the counter is bumped, before its transaction commits: the cache drops then, and for
 * LOCAL_MOVE_WATCH_MS reads the committed counter on every read (a poll started earlier is not shared)
 * until it has moved, and drops again then, so a row read from before the commit is not kept.
 */
export class ChangeWatch {
  /** Moves whenever the cache is dropped, so that a read started before cannot refill it. */
  generation = 0;
  private version: string | null = null;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private checking: Promise<void> | null = null;
  private readonly ownMoves: OwnMoves;

  constructor(
    private readonly database: Database,
    private readonly key: string,
    private readonly checkEveryMs: number,
    private readonly drop: () => void,
  ) {
    this.ownMoves = new OwnMoves(key);
  }

  /** Resolves once the cache holds nothing older than the counter's last committed move. */
  fresh(): Promise<void> {
    const t = performance.now();
    if (this.ownMoves.movedSince(t)) this.dropNow();
    if (this.ownMoves.watching(t)) return this.poll(t);
    if (t - this.checkedAt < this.checkEveryMs) return Promise.resolve();
    this.checking ??= this.poll(t).finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  private async poll(t: number): Promise<void> {
    const version = await committedChangeCounter(this.database, this.key);
    if (version !== this.version) {
      // The first reading (version null) finds an empty cache: dropping it costs nothing.
      if (this.version !== null) this.ownMoves.seenCommitted();
      this.drop();
      this.generation++;
      this.version = version;
    }
    this.checkedAt = t;
  }

  /** Drops the cache now and reads the counter again on the next look. */
  dropNow(): void {
    this.drop();
    this.generation++;
    this.checkedAt = Number.NEGATIVE_INFINITY;
  }
}
