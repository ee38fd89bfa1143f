/** One broken boundary rule, where it is and what to do about it. */
export interface Finding {
  /** Path relative to the checked tree's root, with forward slashes. */
  file: string;
  line: number;
  rule: string;
  /** What is wrong and what to do instead. */
  advice: string;
}

/** `file:line rule — what to do`: one line, clickable in editors and CI logs. */
export const formatFinding = (f: Finding) => `${f.file}:${f.line} ${f.rule} — ${f.advice}`;

export const byLocation = (a: Finding, b: Finding) =>
  a.file.localeCompare(b.file) || a.line - b.line || a.rule.localeCompare(b.rule) || a.advice.localeCompare(b.advice);

/** Module folders use kebab-case names; SQL identifiers use the snake_case form. */
export const snake = (module: string) => module.replace(/-/g, '_');
