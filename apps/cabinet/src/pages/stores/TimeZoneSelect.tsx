import { Select, type SelectProps } from "@mantine/core";

/** Russia's time zones first, then every zone the browser knows. */
const RUSSIA = [
  "Europe/Kaliningrad",
  "Europe/Moscow",
  "Europe/Samara",
  "Asia/Yekaterinburg",
  "Asia/Omsk",
  "Asia/Novosibirsk",
  "Asia/Krasnoyarsk",
  "Asia/Irkutsk",
  "Asia/Yakutsk",
  "Asia/Vladivostok",
  "Asia/Magadan",
  "Asia/Kamchatka",
];

function zones(): string[] {
  const all =
    (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];
  return [...RUSSIA, ...all.filter((z) => !RUSSIA.includes(z))];
}

export function TimeZoneSelect(props: Omit<SelectProps, "data">) {
  return <Select searchable allowDeselect={false} data={zones()} {...props} />;
}
