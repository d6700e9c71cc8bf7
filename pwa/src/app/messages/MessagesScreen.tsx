import { useState } from "preact/hooks";

import { inbox, markRead, type Message } from "../../data/messages";
import { t, tn } from "../../shared/i18n";
import { formatDateTime } from "../components/format";
import { useLive } from "../components/useLive";
import { target } from "../router";
import "../styles/lists.css";
import "./messages.css";

function MessageCard({ message, open, onOpen }: { message: Message; open: boolean; onOpen: () => void }) {
  const { data } = message;
  const unread = !data.read_at;
  return (
    <li class={`card message${unread ? " unread" : ""}`} data-testid="message" data-id={message.id}>
      <button type="button" class="message-head" aria-expanded={open} onClick={onOpen}>
        <span class="message-from" dir="auto">{String(data.sender_name || t("Your coordination office"))}</span>
        <span class="muted small">{data.sent_at ? formatDateTime(String(data.sent_at)) : ""}</span>
        {unread && <span class="badge warn" data-testid="message-new">{t("New")}</span>}
        {data.to_all && <span class="muted small">{t("To all guides")}</span>}
      </button>
      <p class={open ? "message-body" : "message-body closed"} dir="auto">{String(data.body ?? "")}</p>
    </li>
  );
}

/** Messages from the coordination office: on the phone, so they can be read without signal. */
export default function MessagesScreen() {
  const messages = useLive(inbox, [], undefined);
  const [opened, setOpened] = useState<string | undefined>(target.value.id);
  const unread = messages?.filter((m) => !m.data.read_at).length ?? 0;
  const open = (message: Message) => {
    setOpened(opened === message.id ? undefined : message.id);
    void markRead(message);
  };
  // A tapped notification opens its message, which counts as read.
  const targeted = messages?.find((m) => m.id === target.value.id && !m.data.read_at);
  if (targeted) void markRead(targeted);
  return (
    <main class="screen messages">
      <header class="top">
        <h1>{t("Messages")}</h1>
        {messages && messages.length > 0 && (
          <p class="muted" data-testid="unread-summary">
            {unread > 0 ? tn("{count} unread message", "{count} unread messages", unread) : t("All read")}
          </p>
        )}
      </header>
      {messages && messages.length === 0 && (
        <p class="card muted">{t("No messages yet. Messages from your coordination office appear here.")}</p>
      )}
      <ul class="message-list">
        {messages?.map((m) => <MessageCard key={m.id} message={m} open={opened === m.id} onOpen={() => open(m)} />)}
      </ul>
    </main>
  );
}
