/**
 * What a notification says, built on the phone: the push carries only a category and a record id
 * (server/push/operations.py; PROTOCOL.md "Push"), the words come from the phone's own records in
 * IndexedDB and the guide's language. A record the phone does not have yet (no sync since) gets a
 * plain sentence of its category. `url` is the screen a tap opens.
 */

import type { LocalRecord } from "../data/db";
import type { Translator } from "./catalog";

export interface PushPayload {
  category: string;
  id: string;
  count?: number;
  month?: string;
  date?: string;
  days?: number;
}

export interface NotificationText {
  title: string;
  body: string;
  url: string;
  tag: string;
}

export type Lookup = (type: string, id: string) => Promise<LocalRecord | undefined>;
export type OpenExpenses = (month: string) => Promise<number>;

function data(record: LocalRecord | undefined): Record<string, unknown> {
  return (record?.data ?? {}) as Record<string, unknown>;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function formatMonth(code: string, month: string): string {
  const [y, m] = month.split("-").map(Number);
  if (!y || !m) return month;
  return new Intl.DateTimeFormat(code.replace("_", "-"), { month: "long", year: "numeric" }).format(new Date(y, m - 1, 1));
}

function formatDate(code: string, date: string): string {
  const [y, m, d] = date.split("-").map(Number);
  if (!y || !m || !d) return date;
  return new Intl.DateTimeFormat(code.replace("_", "-"), { weekday: "long", day: "numeric", month: "long" })
    .format(new Date(y, m - 1, d));
}

function formatEuro(code: string, cents: unknown): string {
  return new Intl.NumberFormat(code.replace("_", "-"), { style: "currency", currency: "EUR" })
    .format((typeof cents === "number" ? cents : 0) / 100);
}

function excerpt(value: string, length = 140): string {
  return value.length > length ? `${value.slice(0, length - 1)}…` : value;
}

export async function notificationText(payload: PushPayload, tr: Translator, lookup: Lookup,
                                       openExpenses: OpenExpenses): Promise<NotificationText> {
  const { t, tn } = tr;
  const id = String(payload.id ?? "");
  const tag = `${payload.category}-${id}`;
  switch (payload.category) {
    case "offer": {
      const title = text(data(await lookup("assignment", id)).title);
      return { title: title ? t("New offer: {title}", { title }) : t("New offer"),
               body: t("Tap to see the offer and answer it."), url: `/assignments?id=${id}`, tag };
    }
    case "offer_withdrawn": {
      const title = text(data(await lookup("assignment", id)).title);
      return { title: t("Offer withdrawn"),
               body: title ? t("The offer “{title}” was withdrawn.", { title })
                 : t("Your coordination office withdrew an offer."), url: "/assignments", tag };
    }
    case "expense_decided": {
      const expense = data(await lookup("expense", id));
      const when = text(expense.date) ? formatDate(tr.code, text(expense.date)) : "";
      const amount = formatEuro(tr.code, expense.amount_cents);
      if (expense.state === "rejected") {
        return { title: t("Expense not approved"),
                 body: when ? t("{amount} from {date}. Tap to see why.", { amount, date: when }) : t("Tap to see why."),
                 url: `/expenses?id=${id}`, tag };
      }
      if (expense.state === "approved" || expense.state === "paid") {
        return { title: t("Expense approved"), body: when ? t("{amount} from {date}", { amount, date: when }) : "",
                 url: `/expenses?id=${id}`, tag };
      }
      return { title: t("An expense was decided"), body: t("Tap to see it."), url: `/expenses?id=${id}`, tag };
    }
    case "claim_approved": {
      const month = text(data(await lookup("claim", id)).month);
      const count = payload.count ?? 1;
      return { title: t("Claim approved"),
               body: month ? tn("{count} expense of {month} was approved.", "{count} expenses of {month} were approved.",
                                count, { month: formatMonth(tr.code, month) })
                 : tn("{count} expense was approved.", "{count} expenses were approved.", count),
               url: month ? `/expenses?month=${month}` : "/expenses", tag };
    }
    case "claim_paid": {
      const claim = data(await lookup("claim", id));
      const month = text(claim.month);
      return { title: t("Claim paid"),
               body: month ? t("Your claim for {month} was paid.", { month: formatMonth(tr.code, month) })
                 : t("One of your claims was paid."),
               url: month ? `/expenses?month=${month}` : "/expenses", tag };
    }
    case "message": {
      const message = data(await lookup("message", id));
      const name = text(message.sender_name);
      return { title: name ? t("Message from {name}", { name }) : t("New message"),
               body: text(message.body) ? excerpt(text(message.body)) : t("Your coordination office sent you a message."),
               url: `/messages?id=${id}`, tag };
    }
    case "reminder_claim": {
      const month = payload.month ?? id;
      const local = await openExpenses(month);
      const count = local > 0 ? local : payload.count ?? 0;
      return { title: t("Submit your claim for {month}", { month: formatMonth(tr.code, month) }),
               body: count > 0 ? tn("{count} expense is waiting to be claimed.", "{count} expenses are waiting to be claimed.", count)
                 : t("Open expenses are waiting to be claimed."),
               url: `/expenses?month=${month}`, tag };
    }
    case "reminder_hours": {
      const title = text(data(await lookup("assignment", id)).title);
      const days = payload.days ?? 14;
      return { title: t("Log your hours"),
               body: title ? tn("Nothing was logged for “{title}” for {count} day.", "Nothing was logged for “{title}” for {count} days.", days, { title })
                 : tn("Nothing was logged for your assignment for {count} day.", "Nothing was logged for your assignment for {count} days.", days),
               url: "/log", tag };
    }
    case "reminder_plenum": {
      return { title: t("Plenum tomorrow"),
               body: payload.date ? t("The plenum is tomorrow, {date}.", { date: formatDate(tr.code, payload.date) })
                 : t("The plenum is tomorrow."),
               url: "/today", tag };
    }
    default:
      return { title: t("Lotsenbuch"), body: t("There is something new for you."), url: "/today", tag };
  }
}
