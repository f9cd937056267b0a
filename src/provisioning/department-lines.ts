/**
 * "Extension or department" for each line/port of a device (installer page, API and CLI).
 *
 * A department is a queue (e.g. 30 "Sales"): the line's extension becomes one of its agents.
 * An installer on site often knows only "this phone is for Sales", not a number: a line
 * with a department and no extension gets a new extension, numbered next to the
 * department's agents (301, 302… when it has none yet), with a generated SIP password that
 * only the device's profile carries. Changing the department a line showed moves the
 * extension from the old queue to the new one; its other queues are left alone.
 *
 * Everything runs in one transaction (saveWithDepartments), so a refused device leaves no
 * extension or membership behind; audit entries are returned for after the commit.
 */
import { ValidationError } from '../errors.js';
import type { Extension, Repositories } from '../data/types.js';
import type { Queue } from '../data/queue-types.js';
import { generatePassword, GENERATED_SIP_PASSWORD_LENGTH } from '../util/secrets.js';

export interface LineChoice {
  /** Extension number, or '' for "none / new if a department is chosen". */
  extension: string;
  /** Queue number, or '' for no department. */
  department: string;
  /** The department the form showed for this line (to move rather than add); '' if none. */
  departmentWas?: string;
}

export interface AuditEntry { action: string; target: string; before?: unknown; after?: unknown }

interface ResolvedLines {
  /** Extension per line in order, '' where the line stays empty. */
  lines: string[];
  created: Extension[];
  audit: AuditEntry[];
}

type DeptRepos = Pick<Repositories, 'extensions' | 'queues'>;

export interface SavedWithDepartments<T> {
  result: T;
  /** Numbers of the extensions made for department-only lines. */
  created: string[];
  /** Extension, device and membership changes in order, to record after the commit. */
  audit: AuditEntry[];
}

/**
 * lines[i] with departments[i] ('' = none); more departments than lines is a mistake worth
 * saying. `field` names the input in the message ("departments", "--department"), `none` how
 * that input writes "no department".
 */
export function pairWithDepartments(lines: string[], departments: string[] | undefined, field: string, none: string): LineChoice[] {
  if (departments && departments.length > lines.length) {
    throw new ValidationError(`${field} has ${departments.length} entries for ${lines.length} line(s): one per line, ${none} for none`, field.replace(/^-+/, ''));
  }
  return lines.map((extension, i) => ({ extension, department: departments?.[i] ?? '' }));
}

/**
 * One transaction: extensions for department-only lines, then `saveDevice` with the line
 * numbers (it returns its own audit entries), then the memberships. The one way the
 * installer page, the API and the CLI save a device with departments.
 */
export function saveWithDepartments<T>(
  repos: DeptRepos & Pick<Repositories, 'transaction'>, choices: LineChoice[], fieldOf: (line: number) => string,
  saveDevice: (lines: string[]) => { result: T; audit: AuditEntry[] },
): SavedWithDepartments<T> {
  return repos.transaction(() => {
    // Extensions for department-only lines first: the device refers to them.
    const resolved = resolveLineExtensions(repos, choices, fieldOf);
    const saved = saveDevice(resolved.lines);
    return {
      result: saved.result,
      created: resolved.created.map((e) => e.number),
      audit: [...resolved.audit, ...saved.audit, ...joinDepartments(repos, choices, resolved.lines)],
    };
  });
}

function department(repos: DeptRepos, number: string, field: string): Queue {
  const queue = repos.queues.get(number);
  if (!queue) throw new ValidationError(`department ${number} does not exist (departments are the queues an admin set up)`, field);
  return queue;
}

/** Where numbering for a new agent of `queue` starts: after its highest agent, or <queue>1. */
function numberingStart(queue: Queue): string {
  const agents = queue.members.map((m) => Number(m.extension)).filter(Number.isFinite);
  if (agents.length > 0) return String(Math.max(...agents) + 1);
  return queue.number.length <= 3 ? `${queue.number}1` : '100';
}

function newAgentNumber(repos: DeptRepos, queue: Queue, field: string): string {
  const start = numberingStart(queue);
  const number = (start.length <= 4 ? repos.extensions.freeNumberFrom(start) : undefined) ?? repos.extensions.freeNumberFrom('100');
  if (number === undefined) throw new ValidationError(`no free extension number left for department ${queue.number}`, field);
  return number;
}

/** Creates extensions for department-only lines (before the device: it needs the numbers). */
function resolveLineExtensions(repos: DeptRepos, choices: LineChoice[], fieldOf: (line: number) => string): ResolvedLines {
  const created: Extension[] = [];
  const audit: AuditEntry[] = [];
  const lines = choices.map((choice, i) => {
    const extension = choice.extension.trim();
    const dept = choice.department.trim();
    if (dept === '') return extension;
    const queue = department(repos, dept, fieldOf(i + 1));
    if (extension !== '') return extension;
    const ext = repos.extensions.add({
      number: newAgentNumber(repos, queue, fieldOf(i + 1)),
      displayName: queue.name,
      sipPassword: generatePassword(GENERATED_SIP_PASSWORD_LENGTH),
    });
    created.push(ext);
    const { sipPassword: _secret, ...shown } = ext;
    audit.push({ action: 'extension.create', target: ext.number, after: shown });
    return ext.number;
  });
  return { lines, created, audit };
}

/** Joins (or moves) each line's extension to its department, after the device is saved. */
function joinDepartments(repos: DeptRepos, choices: LineChoice[], lines: string[]): AuditEntry[] {
  const audit: AuditEntry[] = [];
  const members = (q: Queue) => ({ members: q.members.map((m) => m.extension) });
  choices.forEach((choice, i) => {
    const extension = lines[i] ?? '';
    const dept = choice.department.trim();
    const was = (choice.departmentWas ?? '').trim();
    if (extension === '') return;
    if (was !== '' && was !== dept) {
      const before = repos.queues.get(was);
      if (before && before.members.some((m) => m.extension === extension)) {
        repos.queues.removeMember(was, extension);
        audit.push({ action: 'queue.member-remove', target: was, before: members(before), after: members(repos.queues.get(was)!) });
      }
    }
    if (dept === '') return;
    const before = repos.queues.get(dept)!;
    if (before.members.some((m) => m.extension === extension)) return;
    const after = repos.queues.addMember(dept, extension);
    audit.push({ action: 'queue.member-add', target: dept, before: members(before), after: members(after) });
  });
  return audit;
}

/** The department a line shows: the first queue its extension belongs to, '' if none. */
export function departmentOf(repos: DeptRepos, extension: string | undefined): string {
  if (!extension) return '';
  return repos.queues.queuesOf(extension)[0] ?? '';
}
