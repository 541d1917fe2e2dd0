import { useQueryClient } from "@tanstack/react-query";
import type { ProgramDetail } from "../../../api/types.ts";
import { notify } from "../../../components/notify.ts";
import { usePartner } from "../../../lib/partner.ts";

/**
 * What a settings form does once the program it changed comes back from the API: says so, puts the new
 * version in the program's cache and has the programs list read again.
 */
export function useProgramSaved(programCode: string): (saved: ProgramDetail, message: string) => void {
  const partner = usePartner();
  const queryClient = useQueryClient();
  return (saved, message) => {
    notify(message);
    queryClient.setQueryData(["program", partner.code, programCode], saved);
    void queryClient.invalidateQueries({ queryKey: ["programs", partner.code] });
  };
}
