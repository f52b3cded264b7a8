/**
 * Reads the parameter names of a function from its source, so that log lines can say
 * `customerId='12345'` without the user repeating names in decorators.
 *
 * The scan honours strings, template literals, comments and nested brackets in default values;
 * destructured parameters have no single name and get `argN`.
 */

/** A parameter as written in the function's source. */
export interface ParameterName {
  readonly name: string;
  /** A `...rest` parameter: it takes every remaining argument. */
  readonly rest: boolean;
}

const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/**
 * The parameters of `fn`, in order.
 *
 * @example
 * parameterNames(function pay(customerId, card = 'x', ...tags) {});
 * // [{ name: 'customerId', rest: false }, { name: 'card', rest: false }, { name: 'tags', rest: true }]
 */
export function parameterNames(fn: (...args: never[]) => unknown): ParameterName[] {
  const source = Function.prototype.toString.call(fn);
  const list = parameterList(source);
  return list.map((raw, i) => toParameterName(raw, i));
}

/** The raw text of each parameter, split at top-level commas. */
function parameterList(source: string): string[] {
  const scanner = new Scanner(source);
  // NOTE: a method may be named by a computed key (`[Symbol.x](a)`) or a string; skip those.
  while (!scanner.done) {
    const c = source[scanner.pos];
    if (c === '(') break;
    if (c === '=' && source[scanner.pos + 1] === '>') {
      // An arrow function with one unparenthesised parameter: `x => …`.
      return [source.slice(0, scanner.pos).replace(/^async\s+/, '').trim()];
    }
    scanner.skip();
  }
  if (scanner.done) return [];
  scanner.pos++;
  const params: string[] = [];
  let start = scanner.pos;
  while (!scanner.done) {
    const c = source[scanner.pos];
    if (c === ')') {
      params.push(source.slice(start, scanner.pos));
      break;
    }
    if (c === ',') {
      params.push(source.slice(start, scanner.pos));
      start = ++scanner.pos;
      continue;
    }
    scanner.skip();
  }
  return params.map(stripComments).filter((p) => p.trim() !== '');
}

function toParameterName(raw: string, index: number): ParameterName {
  let text = raw.trim();
  const rest = text.startsWith('...');
  if (rest) text = text.slice(3).trim();
  const match = /^[\p{L}\p{Nl}$_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$\u200c\u200d]*/u.exec(text);
  return { name: match ? match[0] : `arg${index}`, rest };
}

function stripComments(text: string): string {
  const scanner = new Scanner(text);
  let out = '';
  while (!scanner.done) {
    const from = scanner.pos;
    const isComment = text.startsWith('//', from) || text.startsWith('/*', from);
    scanner.skip();
    if (!isComment) out += text.slice(from, scanner.pos);
  }
  return out;
}

/** Steps over one token: a whole string, template, comment or bracketed group, or one char. */
class Scanner {
  pos = 0;
  constructor(private readonly text: string) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  skip(): void {
    const { text } = this;
    const c = text[this.pos];
    if (c === '"' || c === "'") return this.skipString(c);
    if (c === '`') return this.skipTemplate();
    if (text.startsWith('//', this.pos)) {
      const end = text.indexOf('\n', this.pos);
      this.pos = end === -1 ? text.length : end + 1;
      return;
    }
    if (text.startsWith('/*', this.pos)) {
      const end = text.indexOf('*/', this.pos + 2);
      this.pos = end === -1 ? text.length : end + 2;
      return;
    }
    const closer = OPENERS[c];
    if (closer) {
      this.pos++;
      while (!this.done && text[this.pos] !== closer) this.skip();
      this.pos++;
      return;
    }
    this.pos++;
  }

  private skipString(quote: string): void {
    this.pos++;
    while (!this.done && this.text[this.pos] !== quote) this.pos += this.text[this.pos] === '\\' ? 2 : 1;
    this.pos++;
  }

  private skipTemplate(): void {
    this.pos++;
    while (!this.done && this.text[this.pos] !== '`') {
      if (this.text[this.pos] === '\\') this.pos += 2;
      else if (this.text.startsWith('${', this.pos)) {
        this.pos++;
        this.skip();
      } else this.pos++;
    }
    this.pos++;
  }
}
