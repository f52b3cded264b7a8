import { describeStrike } from '../../lib/core/tasks/strike';
import {
  formatStrikeValue,
  parseStrikeArguments,
  parseStrikeRange,
  parseStrikeValue,
  strikeArguments,
  STRIKE_RANGE_FORM,
  STRIKE_VALUE_FORMS,
} from '../../lib/cli/strike-value';
import type { Strike } from '../../lib/core/tasks/strike';

describe('parseStrikeValue', () => {
  it.each([
    ['int:5', 5],
    ['int:-3', -3],
    ['int:+7', 7],
    ['float:1.5', 1.5],
    ['float:-.25', -0.25],
    ['float:2e-3', 0.002],
    ['float:5', 5],
    ['bool:true', true],
    ['bool:FALSE', false],
    ['null', null],
    ['str:null', 'null'],
    ['str:int:5', 'int:5'],
    ['str:', ''],
    ['str: spaced ', ' spaced '],
    ['c-42', 'c-42'],
    ['10:30', '10:30'],
    ['', ''],
    ['5', '5'],
  ])('reads %j as %p', (text, value) => {
    expect(parseStrikeValue(text)).toStrictEqual(value);
  });

  it('reads bigint: as a bigint, beyond the exact range of numbers', () => {
    expect(parseStrikeValue('bigint:12345678901234567890')).toBe(12345678901234567890n);
    expect(parseStrikeValue('bigint:-5')).toBe(-5n);
  });

  it.each([
    ['date:2026-01-01T00:00:00Z', '2026-01-01T00:00:00.000Z'],
    ['date:2026-01-01', '2026-01-01T00:00:00.000Z'],
    ['date:2026-06-30T12:30:15.250+02:00', '2026-06-30T10:30:15.250Z'],
    ['date:2024-02-29T00:00Z', '2024-02-29T00:00:00.000Z'],
  ])('reads %j as a Date', (text, iso) => {
    const value = parseStrikeValue(text);
    expect(value).toBeInstanceOf(Date);
    expect((value as Date).toISOString()).toBe(iso);
  });

  it.each([
    ['int:x', 'int: takes a whole number'],
    ['int:1.5', 'int: takes a whole number'],
    ['int:', 'int: takes a whole number'],
    ['int:12345678901234567890', 'write bigint:12345678901234567890'],
    ['float:abc', 'float: takes a decimal number'],
    ['float:Infinity', 'float: takes a decimal number'],
    ['float:0x10', 'float: takes a decimal number'],
    ['bigint:1.5', 'bigint: takes a whole number'],
    ['bool:yes', 'bool: takes true or false'],
    ['date:tomorrow', 'date: takes an ISO 8601 date'],
    ['date:2026-02-31', 'date: takes an ISO 8601 date'],
    ['date:2026-13-01', 'date: takes an ISO 8601 date'],
    ['date:1', 'date: takes an ISO 8601 date'],
    ['foo:bar', 'there is no type "foo:" (a string with a colon in it is written str:foo:bar)'],
    ['Int:5', 'there is no type "Int:"'],
  ])('refuses %j, naming the value, the problem and the accepted syntax', (text, problem) => {
    const read = (): unknown => parseStrikeValue(text);
    expect(read).toThrow(RangeError);
    expect(read).toThrow(`"${text}" is not a valid value: `);
    expect(read).toThrow(problem);
    expect(read).toThrow(`Values look like ${STRIKE_VALUE_FORMS}.`);
  });
});

describe('parseStrikeRange', () => {
  it('reads LOWER..UPPER, each side typed', () => {
    expect(parseStrikeRange('int:100..int:1000')).toStrictEqual([100, 1000]);
    expect(parseStrikeRange('float:.5..bigint:9')).toStrictEqual([0.5, 9n]);
    expect(parseStrikeRange('a..m')).toStrictEqual(['a', 'm']);
    const [lower, upper] = parseStrikeRange('date:2026-01-01..date:2026-02-01T00:00:00Z');
    expect([lower, upper].map((d) => (d as Date).toISOString())).toEqual(['2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z']);
  });

  it.each(['int:5', 'int:1..int:2..int:3', '..int:5', 'int:5..', ''])('refuses %j, naming the form', (text) => {
    expect(() => parseStrikeRange(text)).toThrow(`"${text}" is not a range: between takes ${STRIKE_RANGE_FORM}.`);
  });

  it('names a bad side of the range', () => {
    expect(() => parseStrikeRange('int:1..int:x')).toThrow('"int:x" is not a valid value');
  });
});

describe('parseStrikeArguments', () => {
  it('a task alone strikes the whole task', () => {
    expect(parseStrikeArguments({ task: 'sendEmail' })).toStrictEqual({ task: 'sendEmail' });
  });

  it('a parameter without an operator compares with ==', () => {
    const strike = parseStrikeArguments({ task: 'sendEmail', parameter: 'customerId', value: 'c-42' });
    expect(strike).toStrictEqual({ task: 'sendEmail', parameter: 'customerId', operator: '==', value: 'c-42' });
    expect(describeStrike(strike)).toBe("sendEmail(customerId == 'c-42')");
  });

  it('* (or an empty task) means every task', () => {
    for (const task of ['*', '', undefined]) {
      const strike = parseStrikeArguments({ task, parameter: 'amount', operator: '>', value: 'int:10000' });
      expect(strike).toStrictEqual({ parameter: 'amount', operator: '>', value: 10_000 });
      expect(describeStrike(strike)).toBe('*(amount > 10000)');
    }
  });

  it('between takes a range', () => {
    const strike = parseStrikeArguments({ task: 'pay', parameter: 'amount', operator: 'between', value: 'int:100..int:1000' });
    expect(strike).toStrictEqual({ task: 'pay', parameter: 'amount', operator: 'between', value: [100, 1000] });
    expect(describeStrike(strike)).toBe('pay(amount between [100, 1000])');
  });

  it('outside between, .. is part of the value', () => {
    expect(parseStrikeArguments({ task: 't', parameter: 'p', operator: '==', value: 'a..b' }).value).toBe('a..b');
  });

  it.each([{}, { task: '*' }, { task: '' }, { task: '*', parameter: '' }])('refuses %j: give a task, a parameter, or both', (args) => {
    expect(() => parseStrikeArguments(args)).toThrow('give a task, a parameter, or both');
  });

  it('refuses an operator or a value without a parameter', () => {
    expect(() => parseStrikeArguments({ task: 't', parameter: '', operator: '>', value: 'int:5' })).toThrow('a value needs a parameter to compare with');
  });

  it('refuses a parameter without a value, suggesting one', () => {
    expect(() => parseStrikeArguments({ task: 't', parameter: 'p' })).toThrow('give a value to compare p with: e.g. `t p == int:5`');
    expect(() => parseStrikeArguments({ parameter: 'p', operator: 'between' })).toThrow('e.g. `"*" p between int:100..int:1000`');
  });

  it('refuses an unknown operator, listing the operators', () => {
    expect(() => parseStrikeArguments({ task: 't', parameter: 'p', operator: '=~', value: 'x' })).toThrow(
      '"=~" is not an operator: use one of == != > >= < <= between.',
    );
  });

  it('refuses to order null or a boolean', () => {
    expect(() => parseStrikeArguments({ task: 't', parameter: 'p', operator: '>', value: 'null' })).toThrow('> cannot order null: compare it with == or !=.');
    expect(() => parseStrikeArguments({ task: 't', parameter: 'p', operator: '<=', value: 'bool:true' })).toThrow('<= cannot order true');
    expect(parseStrikeArguments({ task: 't', parameter: 'p', operator: '!=', value: 'null' }).value).toBeNull();
  });

  it('passes value errors through', () => {
    expect(() => parseStrikeArguments({ task: 't', parameter: 'p', value: 'int:x' })).toThrow('"int:x" is not a valid value');
    expect(() => parseStrikeArguments({ task: 't', parameter: 'p', operator: 'between', value: 'int:5' })).toThrow('is not a range');
  });
});

describe('strikeArguments, the arguments of `docket restore` for a strike (strikes --json)', () => {
  it.each<[Strike, string[]]>([
    [{ task: 'sendEmail' }, ['sendEmail']],
    [{ task: 'pay', parameter: 'amount', operator: '>', value: 10_000 }, ['pay', 'amount', '>', 'int:10000']],
    [{ parameter: 'amount', operator: 'between', value: [0.5, 2 ** 60] }, ['*', 'amount', 'between', `float:0.5..float:${2 ** 60}`]],
    [{ task: 'ledger', parameter: 'entry', value: -12345678901234567890n }, ['ledger', 'entry', '==', 'bigint:-12345678901234567890']],
    [{ task: 'report', parameter: 'since', operator: '<', value: new Date('2026-01-01T00:00:00Z') }, ['report', 'since', '<', 'date:2026-01-01T00:00:00.000Z']],
    [{ task: 't', parameter: 'flag', operator: '!=', value: false }, ['t', 'flag', '!=', 'bool:false']],
    [{ task: 't', parameter: 'p', value: null }, ['t', 'p', '==', 'null']],
  ])('writes %p as %j, which reads back as the same strike', (strike, args) => {
    expect(strikeArguments(strike)).toEqual(args);
    const [task, parameter, operator, value] = args;
    expect(describeStrike(parseStrikeArguments({ task, parameter, operator, value }))).toBe(describeStrike(strike));
  });

  it.each(['c-42', '10:30', 'null', 'int:5', '', '-eu', 'a..b', ' spaced '])('writes the string %j so that it reads back as itself', (text) => {
    expect(parseStrikeValue(formatStrikeValue(text))).toBe(text);
    expect(formatStrikeValue(text).startsWith('-')).toBe(false);
  });
});
