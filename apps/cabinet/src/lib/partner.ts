import { useParams } from "react-router";

/** The partner the page acts in (from `/p/{partnerCode}/…`) and its API path. */
export function usePartner(): { code: string; path: string } {
  const { partnerCode } = useParams();
  if (!partnerCode) throw new Error("a partner page outside /p/{partnerCode}");
  return { code: partnerCode, path: `/partners/${encodeURIComponent(partnerCode)}` };
}
