import { Alert, Button, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { ApiError, api } from "../../api/client.ts";
import type { DiscountProgram, DiscountProgramBody } from "../../api/types.ts";
import { can } from "../../auth/permissions.ts";
import { useUser } from "../../auth/session.tsx";
import { notify } from "../../components/notify.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import { usePartner } from "../../lib/partner.ts";
import { bodyOf, emptyDraft, NEW_PROGRAM, type ProgramDraft } from "./draft.ts";
import { ProgramForm, useProgramErrors } from "./ProgramForm.tsx";

/**
 * A new discount program: its code, then the same form as a program's page, so the products, limits and
 * card ranges are filled before the first save; the saved program opens at its own address.
 */
export function NewDiscountProgram() {
  const { t } = useTranslation();
  const partner = usePartner();
  const user = useUser();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const listUrl = `/p/${encodeURIComponent(partner.code)}/discount-programs`;
  const [code, setCode] = useState("");
  const [draft, setDraft] = useState<ProgramDraft>(emptyDraft);
  /** Refusals the form knows without asking: an empty code, and the code of this very address. */
  const [codeProblem, setCodeProblem] = useState<string | null>(null);
  const codeInput = useRef<HTMLInputElement>(null);
  const create = useMutation({
    mutationFn: (body: DiscountProgramBody & { code: string }) =>
      api<DiscountProgram>("POST", `${partner.path}/discount-programs`, body),
    onSuccess: (created) => {
      queryClient.setQueryData(["discount-program", partner.code, created.code], created);
      void queryClient.invalidateQueries({ queryKey: ["discount-programs", partner.code] });
      notify(t("discountPrograms.created", { code: created.code }));
      navigate(`${listUrl}/${encodeURIComponent(created.code)}`, { replace: true });
    },
    onError: (error) => {
      if (error instanceof ApiError && error.field === "code") codeInput.current?.focus();
    },
  });
  const errors = useProgramErrors(create.error);

  if (!can(user, partner.code, "programs.write")) {
    return (
      <Alert color="red" title={t("errors.forbiddenTitle")} role="alert" mt="md">
        {t("errors.forbidden")}
      </Alert>
    );
  }

  const submit = () => {
    const typed = code.trim();
    const problem = !typed
      ? t("discountPrograms.codeRequired")
      : typed === NEW_PROGRAM
        ? t("discountPrograms.codeReserved", { code: NEW_PROGRAM })
        : null;
    setCodeProblem(problem);
    if (problem) {
      create.reset();
      codeInput.current?.focus();
      return;
    }
    create.mutate({ code: typed, ...bodyOf(draft) });
  };

  return (
    <>
      <PageHeader title={t("discountPrograms.newTitle")} />
      <ProgramForm
        label={t("discountPrograms.newTitle")}
        draft={draft}
        setDraft={setDraft}
        errors={errors}
        error={create.error}
        readOnly={false}
        onSubmit={submit}
        lead={
          <TextInput
            ref={codeInput}
            label={t("discountPrograms.code")}
            description={t("discountPrograms.codeHint")}
            required
            autoComplete="off"
            value={code}
            onChange={(e) => {
              setCode(e.currentTarget.value);
              setCodeProblem(null);
            }}
            error={codeProblem ?? errors.code}
          />
        }
        actions={
          <>
            <Button variant="default" component={Link} to={listUrl}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" loading={create.isPending}>
              {t("discountPrograms.create")}
            </Button>
          </>
        }
      />
    </>
  );
}
