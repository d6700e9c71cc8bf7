/**
 * Charts on the coordinator's pages (server-rendered; see server/coordinator/<area>/templates/).
 *
 * Progressive enhancement: each page renders its figures as an accessible HTML table; this script
 * reads the table (`<table data-chart="<id of a hidden chart container>">`, one `<tr data-…>` per
 * point) and draws a chart above it. Without JavaScript the table is all there is, and nothing is lost.
 * Built by vite.coordinator.config.ts into server/coordinator/static/charts/charts.js.
 * Only the Chart.js parts used here are registered, so the bundle stays small.
 */

import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";

Chart.register(BarController, BarElement, CategoryScale, Legend, LinearScale, LineController, LineElement,
  PointElement, Tooltip);

/** A figure from a data attribute; empty (a suppressed or hidden report cell) is a gap, never a 0. */
function shown(value: string | undefined): number | null {
  return value === undefined || value === "" ? null : Number(value);
}

function colours(): { text: string; grid: string } {
  const dark = window.matchMedia("(prefers-color-scheme: dark)").matches;
  return { text: dark ? "#d6dde2" : "#24323b", grid: dark ? "rgba(255,255,255,.12)" : "rgba(0,0,0,.08)" };
}

/** One bar per `<tr data-label data-value>` (e.g. the funder report's activities by kind). */
function barsChart(table: HTMLTableElement, container: HTMLElement): void {
  const rows = Array.from(table.querySelectorAll<HTMLTableRowElement>("tbody tr[data-label]"));
  const canvas = container.querySelector("canvas");
  if (!canvas || rows.length === 0) return;
  const { text, grid } = colours();
  const rtl = document.documentElement.dir === "rtl";
  container.hidden = false;
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: rows.map((row) => row.dataset.label ?? ""),
      datasets: [{ label: table.dataset.labelValue ?? "", data: rows.map((row) => shown(row.dataset.value)),
        backgroundColor: "#0f766e" }],
    },
    options: {
      maintainAspectRatio: false,
      animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : undefined,
      locale: document.documentElement.lang,
      plugins: { legend: { display: false }, tooltip: { rtl } },
      scales: {
        x: { reverse: rtl, ticks: { color: text }, grid: { color: grid } },
        y: { position: rtl ? "right" : "left", beginAtZero: true, ticks: { color: text, precision: 0 },
          grid: { color: grid } },
      },
    },
  });
}

function monthsChart(table: HTMLTableElement, container: HTMLElement): void {
  const rows = Array.from(table.querySelectorAll<HTMLTableRowElement>("tbody tr[data-month]"));
  const labels = rows.map((row) => row.querySelector("th")?.textContent?.trim() ?? row.dataset.month ?? "");
  const hours = rows.map((row) => shown(row.dataset.hours));
  const meetings = rows.map((row) => shown(row.dataset.meetings));
  const canvas = container.querySelector("canvas");
  if (!canvas) return;
  const dark = window.matchMedia("(prefers-color-scheme: dark)").matches;
  const text = dark ? "#d6dde2" : "#24323b";
  const grid = dark ? "rgba(255,255,255,.12)" : "rgba(0,0,0,.08)";
  const rtl = document.documentElement.dir === "rtl";
  container.hidden = false;
  new Chart(canvas, {
    data: {
      labels,
      datasets: [
        { type: "bar", label: table.dataset.labelHours ?? "Hours", data: hours, yAxisID: "hours",
          backgroundColor: "#0f766e" },
        { type: "line", label: table.dataset.labelMeetings ?? "Meetings", data: meetings, yAxisID: "meetings",
          borderColor: "#c2410c", backgroundColor: "#c2410c", tension: 0.2 },
      ],
    },
    options: {
      maintainAspectRatio: false,
      animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : undefined,
      locale: document.documentElement.lang,
      plugins: { legend: { labels: { color: text }, rtl }, tooltip: { rtl } },
      scales: {
        x: { reverse: rtl, ticks: { color: text }, grid: { color: grid } },
        hours: { position: rtl ? "right" : "left", beginAtZero: true, ticks: { color: text }, grid: { color: grid },
          title: { display: true, text: table.dataset.labelHours ?? "", color: text } },
        meetings: { position: rtl ? "left" : "right", beginAtZero: true, ticks: { color: text, precision: 0 },
          grid: { drawOnChartArea: false }, title: { display: true, text: table.dataset.labelMeetings ?? "", color: text } },
      },
    },
  });
}

for (const table of Array.from(document.querySelectorAll<HTMLTableElement>("table[data-chart]"))) {
  const container = document.getElementById(table.dataset.chart ?? "");
  if (container && table.dataset.chartType === "bars") barsChart(table, container);
  else if (container) monthsChart(table, container);
}
