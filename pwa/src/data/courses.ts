/**
 * Qualification courses on the phone (PROTOCOL §5): `course` records (every course of the organization,
 * read-only), the guide's own `course_registration` records (creating one asks to join, offline like any
 * change) and, on a trainer's phone, the `attendance` sheets, where she sets only `present`.
 * Everything lives in `records` (db.ts) and changes through saveRecord, so it waits in the outbox offline.
 */

import type { AttendanceData, CourseData, CourseRegistrationData } from "../shared/wire";
import { db, type LocalRecord } from "./db";
import { localDate, saveRecord } from "./records";

export type Course = LocalRecord<"course">;
export type Registration = LocalRecord<"course_registration">;
export type AttendanceLine = LocalRecord<"attendance">;

export interface CourseSessionInfo { date: string; starts_at: string; minutes: number; topic: string }

export function sessionsOf(course: Course): CourseSessionInfo[] {
  return Array.isArray(course.data.sessions) ? (course.data.sessions as CourseSessionInfo[]) : [];
}

async function live<T extends "course" | "course_registration" | "attendance">(type: T): Promise<LocalRecord<T>[]> {
  const rows = (await db.records.where("type").equals(type).toArray()) as LocalRecord<T>[];
  return rows.filter((r) => !r.deleted);
}

export interface UpcomingCourse { course: Course; registration?: Registration }

/** Courses with a session today or later, the soonest first, each with the guide's registration if any. */
export async function upcomingCourses(today: string = localDate()): Promise<UpcomingCourse[]> {
  const [courses, registrations] = await Promise.all([live("course"), live("course_registration")]);
  const mine = new Map(registrations.map((r) => [String((r.data as CourseRegistrationData).course_id), r]));
  return courses
    .filter((c) => sessionsOf(c).some((s) => s.date >= today))
    .map((course) => ({ course, registration: mine.get(course.id) }))
    .sort((a, b) => (sessionsOf(a.course)[0]?.date ?? "").localeCompare(sessionsOf(b.course)[0]?.date ?? ""));
}

export function askToJoin(course: Course): Promise<string> {
  return saveRecord("course_registration", undefined, { course_id: course.id } as Partial<CourseRegistrationData>);
}

export interface Sheet { key: string; title: string; date: string; startsAt: string; minutes: number; lines: AttendanceLine[] }

/** A trainer's attendance sheets, one per session (the newest first), participants by name. */
export async function attendanceSheets(): Promise<Sheet[]> {
  const sheets = new Map<string, Sheet>();
  for (const line of await live("attendance")) {
    const d = line.data as AttendanceData & Record<string, unknown>;
    const key = String(d.session_id);
    const sheet = sheets.get(key) ?? {
      key, title: String(d.course_title ?? ""), date: String(d.session_date ?? ""),
      startsAt: String(d.session_starts_at ?? ""), minutes: Number(d.session_minutes ?? 0), lines: [],
    };
    sheet.lines.push(line);
    sheets.set(key, sheet);
  }
  const name = (l: AttendanceLine) => String((l.data as Record<string, unknown>).participant_name ?? "");
  for (const sheet of sheets.values()) sheet.lines.sort((a, b) => name(a).localeCompare(name(b)));
  return [...sheets.values()].sort((a, b) => b.date.localeCompare(a.date));
}

export function setPresent(line: AttendanceLine, present: boolean): Promise<string> {
  return saveRecord("attendance", line.id, { present } as Partial<AttendanceData>);
}

export type { CourseData };
