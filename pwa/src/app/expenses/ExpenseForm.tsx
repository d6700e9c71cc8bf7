import { useEffect, useRef, useState } from "preact/hooks";

import { db } from "../../data/db";
import { centsPerKm, centsToInput, deleteExpense, parseEuros, saveExpense } from "../../data/expenses";
import { organization, pendingKeys, recordsOf } from "../../data/queries";
import { type PreparedReceipt, prepareReceipt } from "../../data/receipts";
import { localDate } from "../../data/records";
import { locale, t } from "../../shared/i18n";
import { parseWhole } from "../../shared/numbers";
import { type ActivityData, EXPENSE_CATEGORIES, type ExpenseCategory, type ExpenseData, RECORD_SPECS } from "../../shared/wire";
import { categoryLabel, formatDate, formatEuro, formatMinutes, isolate, kindLabel } from "../components/format";
import { whenOffline } from "../components/online";
import { useLive } from "../components/useLive";
import { closeExpense, flash } from "../router";
import type { ExpenseFields } from "./model";

const LIMITS = RECORD_SPECS.expense.fields;

interface Receipt {
  sha256: string;
  url?: string; // an object URL of the local JPEG; none when the photo is only on the server
  added?: PreparedReceipt; // taken in this edit, stored with the expense on save
  refused?: boolean; // the server refused the file for good: remove it and take the photo again
}

interface Form {
  category: ExpenseCategory;
  amount: string;
  km: string;
  date: string;
  description: string;
  activity_id: string;
}

const EMPTY: Form = { category: "public_transport", amount: "", km: "", date: "", description: "", activity_id: "" };

function decimalSeparator(): string {
  return new Intl.NumberFormat(locale.value.replace("_", "-")).format(1.5).includes(",") ? "," : ".";
}

/** The form as wire fields, or the errors by field (limits from sync/spec.py). */
function validate(form: Form, rate: number, receipts: string[]): { fields?: ExpenseData; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const year = Number(form.date.slice(0, 4));
  if (!/^\d{4}-\d{2}-\d{2}$/.test(form.date) || year < 2000 || year > 2100) errors.date = t("Please enter a date.");
  let amount: number | null = null;
  let km: number | null = null;
  if (form.category === "mileage") {
    km = parseWhole(form.km) ?? NaN;
    if (!Number.isInteger(km) || km < 1 || km > LIMITS.km.max) errors.km = t("Enter whole kilometres between 1 and 5000.");
    else amount = km * rate;
  } else {
    amount = parseEuros(form.amount);
    if (amount === null || amount <= 0 || amount > LIMITS.amount_cents.max) {
      errors.amount = t("Enter the amount in euros, e.g. 12,50.");
    }
  }
  if (form.description.length > LIMITS.description.maxLength) errors.description = t("The description is too long.");
  if (Object.keys(errors).length || amount === null) return { errors };
  return {
    errors,
    fields: {
      date: form.date, category: form.category, amount_cents: amount, km, description: form.description.trim(),
      receipts, activity_id: form.activity_id || null,
    },
  };
}

interface Meeting {
  id: string;
  label: string;
  date: string;
  km: number | null;
  /** The mileage expenses already linked to it (kilometres are claimed once). */
  mileage: string[];
}

async function recentActivities(): Promise<Meeting[]> {
  const [all, expenses] = await Promise.all([recordsOf("activity"), recordsOf("expense")]);
  return all
    .map((a) => {
      const data = a.data as ActivityData;
      const mileage = expenses.filter((e) => e.data.category === "mileage" && e.data.activity_id === a.id).map((e) => e.id);
      return { id: a.id, date: data.date ?? "", km: data.travel_km ?? null, mileage,
               label: `${formatDate(data.date ?? "")} · ${kindLabel(data.kind)} · ${formatMinutes(data.minutes ?? 0)}` };
    })
    .sort((a, b) => b.date.localeCompare(a.date))
    .slice(0, 60);
}

export default function ExpenseForm({ id }: { id?: string }) {
  const [form, setForm] = useState<Form>({ ...EMPTY, date: localDate() });
  const [receipts, setReceipts] = useState<Receipt[]>([]);
  const [state, setState] = useState<{ editable: boolean; data?: ExpenseFields; problem?: string }>({ editable: true });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [photoBusy, setPhotoBusy] = useState(false);
  const [failed, setFailed] = useState("");
  const org = useLive(organization, [], undefined);
  const activities = useLive(recentActivities, [], []);
  const urls = useRef<string[]>([]);
  const fileInput = useRef<HTMLInputElement>(null);

  const objectUrl = (bytes: ArrayBuffer, mime: string) => {
    const url = URL.createObjectURL(new Blob([bytes], { type: mime }));
    urls.current.push(url);
    return url;
  };
  useEffect(() => () => urls.current.forEach((u) => URL.revokeObjectURL(u)), []);

  useEffect(() => {
    if (!id) return;
    void (async () => {
      const record = await db.records.get(["expense", id]);
      if (!record) return;
      const data = record.data as ExpenseFields;
      const waiting = (await pendingKeys()).has(`expense\u0000${id}`);
      const expenseState = data.state ?? "open";
      // An open expense of a month whose claim is still waiting to be sent goes into that claim.
      const claimIds = (await db.outbox.toArray()).filter((r) => r.type === "claim").map((r) => r.record_id);
      const claims = await Promise.all(claimIds.map((c) => db.records.get(["claim", c])));
      const inClaim = claims.some((c) => (c?.data as { month?: string } | undefined)?.month === data.date?.slice(0, 7));
      const locked = (!waiting && !["open", "rejected"].includes(expenseState))
        || (expenseState === "open" && inClaim);
      setState({ editable: !locked, data, problem: record.problem?.message });
      setForm({
        category: data.category ?? "other",
        amount: data.category === "mileage" ? "" : centsToInput(data.amount_cents ?? 0, decimalSeparator()),
        km: data.km == null ? "" : String(data.km), date: data.date ?? localDate(),
        description: data.description ?? "", activity_id: data.activity_id ?? "",
      });
      const local = new Map((await db.blobs.where("expense_id").equals(id).toArray()).map((b) => [b.sha256, b]));
      setReceipts((data.receipts ?? []).map((sha256) => {
        const blob = local.get(sha256);
        // A pruned photo (the expense was paid, data/receiptSync.ts) has no bytes left on the phone.
        const url = blob && !blob.pruned && blob.bytes.byteLength > 0 ? objectUrl(blob.bytes, blob.mime) : undefined;
        return { sha256, url, refused: !!blob?.refused };
      }));
    })();
  }, [id]);

  // A mileage expense linked to a meeting takes the meeting's km (typed once, on the meeting) unless
  // the guide typed her own; `prefilled` remembers the value we put in, so a change of meeting updates it.
  const prefilled = useRef("");
  const withMeetingKm = (next: Form): Form => {
    const meeting = activities.find((a) => a.id === next.activity_id);
    if (next.category !== "mileage" || !meeting?.km || (next.km.trim() !== "" && next.km !== prefilled.current)) return next;
    prefilled.current = String(meeting.km);
    return { ...next, km: prefilled.current };
  };
  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => withMeetingKm({ ...f, [key]: value }));
  const meeting = activities.find((a) => a.id === form.activity_id);
  const claimedElsewhere = form.category === "mileage" && !!meeting?.mileage.some((other) => other !== id);
  const rate = centsPerKm(org, form.date || localDate());
  const km = parseWhole(form.km);
  const mileageAmount = km !== null && km > 0 ? km * rate : null;

  const addPhotos = async (event: Event) => {
    const input = event.currentTarget as HTMLInputElement;
    const files = Array.from(input.files ?? []);
    input.value = ""; // the same photo may be chosen again after removing it
    if (!files.length) return;
    setPhotoBusy(true);
    setFailed("");
    try {
      for (const file of files) {
        if (receipts.length >= LIMITS.receipts.maxItems) {
          setFailed(t("At most 10 receipts per expense."));
          break;
        }
        const prepared = await prepareReceipt(file);
        setReceipts((list) => list.some((r) => r.sha256 === prepared.sha256) ? list
          : [...list, { sha256: prepared.sha256, url: objectUrl(prepared.bytes, prepared.mime), added: prepared }]);
      }
    } catch {
      setFailed(t("This picture could not be read. Please take the photo again."));
    } finally {
      setPhotoBusy(false);
    }
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy || photoBusy) return;
    const { fields, errors: found } = validate(form, rate, receipts.map((r) => r.sha256));
    setErrors(found);
    if (!fields) return;
    setBusy(true);
    setFailed("");
    try {
      // One transaction: the expense, its outbox entry and the new photos (data/expenses.ts).
      await saveExpense(id, fields, receipts.flatMap((r) => (r.added ? [r.added] : [])));
      flash.value = () => whenOffline(t("Saved on this phone. It will be sent when you are online."),
        t("Saved on this phone. Sending it now."));
      closeExpense();
    } catch {
      setFailed(t("Could not save on this phone. Please try again."));
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!id || !confirm(t("Delete this expense?"))) return;
    await deleteExpense(id);
    flash.value = () => t("Expense deleted.");
    closeExpense();
  };

  const error = (key: string) => errors[key] && <p id={`${key}-error`} class="error" role="alert">{errors[key]}</p>;
  const described = (key: string) => (errors[key] ? `${key}-error` : undefined);
  const { editable, data } = state;

  return (
    <main class="screen expense-form">
      <header class="top">
        <h1>{!id ? t("New expense") : editable ? t("Edit expense") : t("Expense")}</h1>
        <button type="button" class="link" onClick={closeExpense}>{t("Back")}</button>
      </header>
      {data?.state === "rejected" && (
        <p class="error" data-testid="rejection-reason">
          {t("Rejected: {reason}", { reason: isolate(data.rejection_reason || "–") })}{" "}
          {editable && t("Correct it (add the receipt, fix the amount) and save, then send it again with a follow-up claim.")}
        </p>
      )}
      {state.problem && <p class="error">{state.problem}</p>}
      {(data?.earlier_rejections ?? []).map((r, index) => (
        <p key={index} class="muted small" data-testid="earlier-rejection" dir="auto">
          {t("Rejected earlier: {reason}", { reason: isolate(r.reason) })}
        </p>
      ))}
      {!editable && <p class="notice info">{t("This expense was submitted and can no longer be changed.")}</p>}
      <form class="card" onSubmit={submit} noValidate>
        <fieldset disabled={!editable || busy}>
          <label for="category">{t("Category")}</label>
          <select id="category" value={form.category}
                  onChange={(e) => set("category", e.currentTarget.value as ExpenseCategory)}>
            {EXPENSE_CATEGORIES.map((c) => <option key={c} value={c}>{categoryLabel(c)}</option>)}
          </select>

          {form.category === "mileage" ? (
            <>
              <label for="km">{t("Kilometres")}</label>
              <input id="km" type="text" inputMode="decimal" autoComplete="off" value={form.km}
                     onInput={(e) => set("km", e.currentTarget.value)} aria-describedby={`mileage ${described("km") ?? ""}`} />
              <p id="mileage" class="computed" data-testid="mileage-amount" aria-live="polite">
                {mileageAmount === null
                  ? t("{rate} per km", { rate: formatEuro(rate) })
                  : t("{km} km × {rate} = {amount}", { km: km ?? 0, rate: formatEuro(rate), amount: formatEuro(mileageAmount) })}
              </p>
              {error("km")}
              {prefilled.current !== "" && form.km === prefilled.current && (
                <p class="hint" data-testid="km-from-meeting">{t("Kilometres taken from the meeting.")}</p>
              )}
            </>
          ) : (
            <>
              <label for="amount">{t("Amount (€)")}</label>
              <input id="amount" type="text" inputMode="decimal" autoComplete="off" placeholder={`0${decimalSeparator()}00`}
                     value={form.amount} onInput={(e) => set("amount", e.currentTarget.value)}
                     aria-describedby={described("amount")} />
              {error("amount")}
            </>
          )}

          <label for="date">{t("Date")}</label>
          <input id="date" type="date" value={form.date} required min="2000-01-01" max="2100-12-31"
                 onInput={(e) => set("date", e.currentTarget.value)} aria-describedby={described("date")} />
          {error("date")}

          <label for="description">{t("Description")}</label>
          <textarea id="description" dir="auto" rows={2} maxLength={LIMITS.description.maxLength} value={form.description}
                    onInput={(e) => set("description", e.currentTarget.value)} aria-describedby={described("description")} />
          {error("description")}

          <label for="activity">{t("For which meeting (optional)")}</label>
          <select id="activity" value={form.activity_id} onChange={(e) => set("activity_id", e.currentTarget.value)}>
            <option value="">{t("No meeting")}</option>
            {form.activity_id && !activities.some((a) => a.id === form.activity_id) && (
              <option value={form.activity_id}>{t("A meeting not on this phone")}</option>
            )}
            {activities.map((a) => <option key={a.id} value={a.id}>{a.label}</option>)}
          </select>
          {claimedElsewhere && (
            <p class="warn-box" data-testid="km-claimed">{t("This meeting's kilometres are already claimed in another mileage expense.")}</p>
          )}

          <span class="label" id="receipts-label">{t("Receipts")}</span>
          {receipts.length > 0 && (
            <ul class="thumbs" aria-labelledby="receipts-label">
              {receipts.map((r, index) => (
                <li key={r.sha256} data-testid="receipt-thumb" data-refused={r.refused ? "1" : undefined}>
                  {r.url ? <img src={r.url} alt={t("Receipt {number}", { number: index + 1 })} />
                    : <span class="thumb-remote">{t("Receipt {number}", { number: index + 1 })}
                      <span>{t("Stored on the server")}</span></span>}
                  {editable && (
                    <button type="button" class="thumb-remove"
                            aria-label={t("Remove receipt {number}", { number: index + 1 })}
                            onClick={() => setReceipts((list) => list.filter((x) => x.sha256 !== r.sha256))}>
                      <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true"><path d="M6 6l12 12M18 6 6 18" /></svg>
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
          {receipts.some((r) => r.refused) && (
            <p class="error" data-testid="receipt-refused-help">
              {t("The server could not accept the marked photo (too large or not a picture). Remove it and take the photo again.")}
            </p>
          )}
          {editable && receipts.length < LIMITS.receipts.maxItems && (
            <label class="photo-button">
              <input ref={fileInput} type="file" accept="image/*" capture="environment" onChange={addPhotos}
                     data-testid="receipt-input" />
              <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true">
                <path d="M4 8h3l2-3h6l2 3h3v11H4zM12 10.5a3.5 3.5 0 1 0 0 7 3.5 3.5 0 0 0 0-7z" />
              </svg>
              <span>{photoBusy ? t("Preparing photo…") : t("Add a receipt photo")}</span>
            </label>
          )}

          {failed && <p class="error" role="alert">{failed}</p>}
          {editable && (
            <button type="submit" class="primary" disabled={photoBusy}>{busy ? t("Saving…") : t("Save")}</button>
          )}
        </fieldset>
        {id && editable && <button type="button" class="danger" onClick={remove}>{t("Delete expense")}</button>}
      </form>
    </main>
  );
}
