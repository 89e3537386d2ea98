/**
 * A safe arithmetic evaluator: numbers, + - * / % ^, parentheses, unary
 * minus, the constants pi and e, and a few functions. A recursive-descent
 * parser over tokens; nothing is ever passed to eval or Function.
 */
const FUNCTIONS: Record<string, (x: number) => number> = {
  sqrt: Math.sqrt,
  abs: Math.abs,
  ln: Math.log,
  log10: Math.log10,
  log2: Math.log2,
  exp: Math.exp,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  floor: Math.floor,
  ceil: Math.ceil,
  round: Math.round,
};
const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };

export class CalculatorError extends Error {}

export function evaluate(expression: string): number {
  if (expression.length > 1000) throw new CalculatorError("expression is longer than 1000 characters");
  const tokens = expression.match(/\d+(?:\.\d+)?(?:e[+-]?\d+)?|\.\d+|[a-z_][a-z0-9_]*|\*\*|[-+*/%^(),]|\S/gi) ?? [];
  let pos = 0;
  const peek = () => tokens[pos];
  const take = (expected?: string): string => {
    const t = tokens[pos];
    if (t === undefined || (expected !== undefined && t !== expected)) {
      throw new CalculatorError(
        expected ? `expected "${expected}" ${t === undefined ? "at the end" : `but found "${t}"`}` : "unexpected end of expression",
      );
    }
    pos++;
    return t;
  };

  // expression := term (("+" | "-") term)*
  function expr(): number {
    let v = term();
    while (peek() === "+" || peek() === "-") v = take() === "+" ? v + term() : v - term();
    return v;
  }
  // term := power (("*" | "/" | "%") power)*
  function term(): number {
    let v = power();
    for (let op = peek(); op === "*" || op === "/" || op === "%"; op = peek()) {
      take();
      const r = power();
      v = op === "*" ? v * r : op === "/" ? v / r : v % r;
    }
    return v;
  }
  // power := unary (("^" | "**") power)?   (right-associative)
  function power(): number {
    const base = unary();
    if (peek() === "^" || peek() === "**") {
      take();
      return base ** power();
    }
    return base;
  }
  // unary := ("-" | "+") unary | primary
  function unary(): number {
    if (peek() === "-") {
      take();
      return -unary();
    }
    if (peek() === "+") {
      take();
      return unary();
    }
    return primary();
  }
  function primary(): number {
    const t = take();
    if (t === "(") {
      const v = expr();
      take(")");
      return v;
    }
    if (/^(\d|\.\d)/.test(t)) return Number(t);
    const name = t.toLowerCase();
    // Own properties only: "constructor" and friends are not symbols here.
    if (Object.hasOwn(CONSTANTS, name)) return CONSTANTS[name]!;
    const fn = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
    if (fn) {
      take("(");
      const v = expr();
      take(")");
      return fn(v);
    }
    throw new CalculatorError(`unknown symbol "${t}"`);
  }

  const value = expr();
  if (pos < tokens.length) throw new CalculatorError(`unexpected "${tokens[pos]}"`);
  if (!Number.isFinite(value)) throw new CalculatorError("the result is not a finite number (division by zero?)");
  return value;
}
