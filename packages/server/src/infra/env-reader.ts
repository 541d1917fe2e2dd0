/**
 * Readers of environment variables that collect every problem instead of stopping at the first, so an
 * operator fixes a bad configuration in one pass. Blank values count as unset.
 */
export interface EnvReader {
  read(name: string): string | undefined;
  int(name: string, fallback: number, min: number, max: number): number;
  bool(name: string, fallback: boolean): boolean;
}

export function envReader(env: NodeJS.ProcessEnv, problems: string[]): EnvReader {
  const read = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  };
  return {
    read,
    int(name, fallback, min, max) {
      const raw = read(name);
      if (raw === undefined) return fallback;
      const value = Number(raw);
      if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
        problems.push(`${name}=${JSON.stringify(raw)}: expected a whole number from ${min} to ${max}`);
        return fallback;
      }
      return value;
    },
    bool(name, fallback) {
      const raw = read(name)?.toLowerCase();
      if (raw === undefined) return fallback;
      if (["1", "true", "yes", "on"].includes(raw)) return true;
      if (["0", "false", "no", "off"].includes(raw)) return false;
      problems.push(`${name}=${JSON.stringify(raw)}: expected true or false`);
      return fallback;
    },
  };
}
