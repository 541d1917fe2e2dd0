import { Box, Group, Text } from "@mantine/core";

/**
 * A status as a coloured dot for the eye and the word in the text colour for everyone: a coloured word on
 * a striped or hovered row falls below AA contrast.
 */
export function StatusDot({ color, label }: { color: string; label: string }) {
  return (
    <Group gap={6} wrap="nowrap">
      <Box w={10} h={10} bg={color} style={{ borderRadius: "50%", flex: "none" }} aria-hidden />
      <Text size="sm">{label}</Text>
    </Group>
  );
}
