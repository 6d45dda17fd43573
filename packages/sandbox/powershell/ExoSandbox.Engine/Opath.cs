// The OPATH subset -Filter accepts: comparisons (-eq -ne -like -notlike -lt -gt -le -ge) of a modelled property
// with a quoted string, $true, $false, $null, a number or a bare word, joined by -and, -or, -not (or !) and
// parentheses. Quotes are PowerShell's: ' ‘ ’ ‚ ‛ (doubled to escape) and " “ ” „ (doubled or `-escaped).
// It is parsed here, never evaluated as PowerShell.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ExoConnect.Sandbox
{
    public sealed class OpathException : Exception
    {
        public OpathException(string message) : base(message) { }

        public static OpathException Syntax(string filter, int position) =>
            new OpathException("Invalid filter syntax. For a description of the filter parameter syntax see the command help.\n\"" + filter + "\" at position " + position + ".");

        public static OpathException UnknownProperty(string filter, string property, int position) =>
            new OpathException("'" + property + "' is not a recognized filterable property. For a description of the filter parameter syntax see the command help.\n\"" + filter + "\" at position " + position + ".");

        public static OpathException BadValue(string filter, string value, string type, int position) =>
            new OpathException("The value \"" + value + "\" could not be converted to type " + type + ".\n\"" + filter + "\" at position " + position + ".");
    }

    public abstract class OpathNode
    {
        public abstract bool Matches(RecipientRecord r, TenantSnapshot t);
    }

    public sealed class OpathFilter
    {
        private readonly OpathNode _root;

        private OpathFilter(string text, OpathNode root)
        {
            Text = text;
            _root = root;
        }

        public string Text { get; }

        public bool Matches(RecipientRecord r, TenantSnapshot t) => _root.Matches(r, t);

        public static OpathFilter Parse(string filter)
        {
            var text = filter ?? string.Empty;
            var trimmed = text.Trim();
            if (trimmed.Length >= 2 && trimmed[0] == '{' && trimmed[trimmed.Length - 1] == '}')
            {
                trimmed = trimmed.Substring(1, trimmed.Length - 2);
            }
            var parser = new Parser(text, Tokenizer.Tokenize(text, trimmed));
            return new OpathFilter(text, parser.ParseAll());
        }

        private enum TokenKind { LParen, RParen, Operator, Not, Word, String, Variable, End }

        private struct Token
        {
            public TokenKind Kind;
            public string Value;
            public int Position;
        }

        private static class Tokenizer
        {
            private static bool IsSingleQuote(char c) => c == '\'' || c == '\u2018' || c == '\u2019' || c == '\u201A' || c == '\u201B';

            private static bool IsDoubleQuote(char c) => c == '"' || c == '\u201C' || c == '\u201D' || c == '\u201E';

            private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_' || c == '.' || c == '@' || c == ':' || c == '-' || c == '*' || c == '+' || c == '/';

            public static List<Token> Tokenize(string original, string text)
            {
                // Positions are reported in the caller's text, as Exchange does.
                var offset = original.IndexOf(text, StringComparison.Ordinal);
                if (offset < 0) offset = 0;
                var tokens = new List<Token>();
                var i = 0;
                while (i < text.Length)
                {
                    var c = text[i];
                    var start = i + offset + 1;
                    if (char.IsWhiteSpace(c)) { i++; continue; }
                    if (c == '(') { tokens.Add(new Token { Kind = TokenKind.LParen, Position = start }); i++; continue; }
                    if (c == ')') { tokens.Add(new Token { Kind = TokenKind.RParen, Position = start }); i++; continue; }
                    if (c == '!') { tokens.Add(new Token { Kind = TokenKind.Not, Position = start }); i++; continue; }
                    if (IsSingleQuote(c))
                    {
                        var sb = new StringBuilder();
                        i++;
                        while (true)
                        {
                            if (i >= text.Length) throw OpathException.Syntax(original, start);
                            if (IsSingleQuote(text[i]))
                            {
                                if (i + 1 < text.Length && IsSingleQuote(text[i + 1])) { sb.Append(text[i]); i += 2; continue; }
                                i++;
                                break;
                            }
                            sb.Append(text[i++]);
                        }
                        tokens.Add(new Token { Kind = TokenKind.String, Value = sb.ToString(), Position = start });
                        continue;
                    }
                    if (IsDoubleQuote(c))
                    {
                        var sb = new StringBuilder();
                        i++;
                        while (true)
                        {
                            if (i >= text.Length) throw OpathException.Syntax(original, start);
                            if (text[i] == '`' && i + 1 < text.Length) { sb.Append(text[i + 1]); i += 2; continue; }
                            if (IsDoubleQuote(text[i]))
                            {
                                if (i + 1 < text.Length && IsDoubleQuote(text[i + 1])) { sb.Append(text[i]); i += 2; continue; }
                                i++;
                                break;
                            }
                            sb.Append(text[i++]);
                        }
                        tokens.Add(new Token { Kind = TokenKind.String, Value = sb.ToString(), Position = start });
                        continue;
                    }
                    if (c == '$')
                    {
                        var j = i + 1;
                        while (j < text.Length && (char.IsLetterOrDigit(text[j]) || text[j] == '_')) j++;
                        var name = text.Substring(i + 1, j - i - 1).ToLowerInvariant();
                        if (name != "true" && name != "false" && name != "null") throw OpathException.Syntax(original, start);
                        tokens.Add(new Token { Kind = TokenKind.Variable, Value = name, Position = start });
                        i = j;
                        continue;
                    }
                    if (c == '-' && i + 1 < text.Length && char.IsLetter(text[i + 1]))
                    {
                        var j = i + 1;
                        while (j < text.Length && char.IsLetter(text[j])) j++;
                        var op = text.Substring(i, j - i).ToLowerInvariant();
                        switch (op)
                        {
                            case "-eq": case "-ne": case "-like": case "-notlike":
                            case "-lt": case "-gt": case "-le": case "-ge":
                            case "-and": case "-or":
                                tokens.Add(new Token { Kind = TokenKind.Operator, Value = op, Position = start });
                                break;
                            case "-not":
                                tokens.Add(new Token { Kind = TokenKind.Not, Position = start });
                                break;
                            default:
                                throw OpathException.Syntax(original, start);
                        }
                        i = j;
                        continue;
                    }
                    if (IsWordChar(c))
                    {
                        var j = i;
                        while (j < text.Length && IsWordChar(text[j])) j++;
                        tokens.Add(new Token { Kind = TokenKind.Word, Value = text.Substring(i, j - i), Position = start });
                        i = j;
                        continue;
                    }
                    throw OpathException.Syntax(original, start);
                }
                tokens.Add(new Token { Kind = TokenKind.End, Position = original.Length + 1 });
                return tokens;
            }
        }

        private sealed class Parser
        {
            private readonly string _filter;
            private readonly List<Token> _tokens;
            private int _index;

            public Parser(string filter, List<Token> tokens)
            {
                _filter = filter;
                _tokens = tokens;
            }

            private Token Peek => _tokens[_index];

            public OpathNode ParseAll()
            {
                var node = ParseOr();
                if (Peek.Kind != TokenKind.End) throw OpathException.Syntax(_filter, Peek.Position);
                return node;
            }

            private OpathNode ParseOr()
            {
                var left = ParseAnd();
                while (Peek.Kind == TokenKind.Operator && Peek.Value == "-or")
                {
                    _index++;
                    left = new Or(left, ParseAnd());
                }
                return left;
            }

            private OpathNode ParseAnd()
            {
                var left = ParseNot();
                while (Peek.Kind == TokenKind.Operator && Peek.Value == "-and")
                {
                    _index++;
                    left = new And(left, ParseNot());
                }
                return left;
            }

            private OpathNode ParseNot()
            {
                if (Peek.Kind == TokenKind.Not)
                {
                    _index++;
                    return new Not(ParseNot());
                }
                return ParsePrimary();
            }

            private OpathNode ParsePrimary()
            {
                var token = Peek;
                if (token.Kind == TokenKind.LParen)
                {
                    _index++;
                    var inner = ParseOr();
                    if (Peek.Kind != TokenKind.RParen) throw OpathException.Syntax(_filter, Peek.Position);
                    _index++;
                    return inner;
                }
                if (token.Kind != TokenKind.Word) throw OpathException.Syntax(_filter, token.Position);
                if (!Properties.IsKnown(token.Value)) throw OpathException.UnknownProperty(_filter, token.Value, token.Position);
                _index++;
                var op = Peek;
                if (op.Kind != TokenKind.Operator || op.Value == "-and" || op.Value == "-or") throw OpathException.Syntax(_filter, op.Position);
                _index++;
                var value = Peek;
                if (value.Kind != TokenKind.String && value.Kind != TokenKind.Word && value.Kind != TokenKind.Variable)
                {
                    throw OpathException.Syntax(_filter, value.Position);
                }
                _index++;
                return new Comparison(_filter, token.Value, op.Value, value.Kind == TokenKind.Variable ? "$" + value.Value : value.Value,
                    value.Kind == TokenKind.Variable && value.Value == "null", value.Position);
            }
        }

        private sealed class And : OpathNode
        {
            private readonly OpathNode _a, _b;
            public And(OpathNode a, OpathNode b) { _a = a; _b = b; }
            public override bool Matches(RecipientRecord r, TenantSnapshot t) => _a.Matches(r, t) && _b.Matches(r, t);
        }

        private sealed class Or : OpathNode
        {
            private readonly OpathNode _a, _b;
            public Or(OpathNode a, OpathNode b) { _a = a; _b = b; }
            public override bool Matches(RecipientRecord r, TenantSnapshot t) => _a.Matches(r, t) || _b.Matches(r, t);
        }

        private sealed class Not : OpathNode
        {
            private readonly OpathNode _a;
            public Not(OpathNode a) { _a = a; }
            public override bool Matches(RecipientRecord r, TenantSnapshot t) => !_a.Matches(r, t);
        }

        private sealed class Comparison : OpathNode
        {
            private readonly string _filter, _property, _op, _literal;
            private readonly bool _isNull;
            private readonly int _position;

            public Comparison(string filter, string property, string op, string literal, bool isNull, int position)
            {
                _filter = filter;
                _property = property;
                _op = op;
                _literal = literal;
                _isNull = isNull;
                _position = position;
            }

            public override bool Matches(RecipientRecord r, TenantSnapshot t)
            {
                var actual = Properties.Get(r, t, _property);
                var negated = _op == "-ne" || _op == "-notlike";
                bool any;
                if (actual is IEnumerable list && !(actual is string))
                {
                    any = false;
                    var empty = true;
                    foreach (var item in list)
                    {
                        empty = false;
                        if (Single(item, true)) { any = true; break; }
                    }
                    if (_isNull) any = empty;
                }
                else
                {
                    any = Single(actual, false);
                }
                return negated ? !any : any;
            }

            /// <summary>Whether one value satisfies the positive form of the operator (-eq for -ne, -like for -notlike).</summary>
            private bool Single(object actual, bool isAddress)
            {
                if (_isNull)
                {
                    return actual == null || (actual is string s0 && s0.Length == 0);
                }
                switch (actual)
                {
                    case null:
                        return (_op == "-eq" || _op == "-ne") ? false : Strings(string.Empty);
                    case bool b:
                        return Ordered(b.CompareTo(ToBool()));
                    case DateTime d:
                        return Ordered(d.CompareTo(ToDate(d.Kind)));
                    case Guid g:
                        if (_op == "-like" || _op == "-notlike") return Like(g.ToString(), _literal);
                        return Ordered(g.CompareTo(ToGuid()));
                    case int n:
                        return Ordered(((long)n).CompareTo(ToLong()));
                    case long l:
                        return Ordered(l.CompareTo(ToLong()));
                    default:
                        var text = Convert.ToString(actual, CultureInfo.InvariantCulture);
                        if (isAddress)
                        {
                            var colon = text.IndexOf(':');
                            if (colon > 0 && Strings(text.Substring(colon + 1))) return true;
                        }
                        return Strings(text);
                }
            }

            private bool Strings(string actual)
            {
                switch (_op)
                {
                    case "-like":
                    case "-notlike":
                        return Like(actual, _literal);
                    default:
                        return Ordered(string.Compare(actual, _literal, StringComparison.OrdinalIgnoreCase));
                }
            }

            private bool Ordered(int cmp)
            {
                switch (_op)
                {
                    case "-eq": case "-ne": case "-like": case "-notlike": return cmp == 0;
                    case "-lt": return cmp < 0;
                    case "-gt": return cmp > 0;
                    case "-le": return cmp <= 0;
                    case "-ge": return cmp >= 0;
                    default: return false;
                }
            }

            private bool ToBool()
            {
                var v = _literal.TrimStart('$').ToLowerInvariant();
                if (v == "true" || v == "1") return true;
                if (v == "false" || v == "0") return false;
                throw OpathException.BadValue(_filter, _literal, "System.Boolean", _position);
            }

            private DateTime ToDate(DateTimeKind kind)
            {
                if (DateTime.TryParse(_literal, UsCulture, DateTimeStyles.AllowWhiteSpaces, out var d)
                    || DateTime.TryParse(_literal, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out d))
                {
                    return d.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(d, kind) : (kind == DateTimeKind.Utc ? d.ToUniversalTime() : d.ToLocalTime());
                }
                throw OpathException.BadValue(_filter, _literal, "System.DateTime", _position);
            }

            private static readonly CultureInfo UsCulture = LoadUsCulture();

            private static CultureInfo LoadUsCulture()
            {
                try { return CultureInfo.GetCultureInfo("en-US"); }
                catch (CultureNotFoundException) { return CultureInfo.InvariantCulture; }
            }

            private Guid ToGuid()
            {
                if (Guid.TryParse(_literal, out var g)) return g;
                throw OpathException.BadValue(_filter, _literal, "System.Guid", _position);
            }

            private long ToLong()
            {
                if (long.TryParse(_literal, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)) return l;
                throw OpathException.BadValue(_filter, _literal, "System.Int64", _position);
            }

            /// <summary>OPATH -like: "*" matches any run of characters, case-insensitively.</summary>
            private static bool Like(string value, string pattern)
            {
                var parts = pattern.Split('*');
                if (parts.Length == 1) return string.Equals(value, pattern, StringComparison.OrdinalIgnoreCase);
                var pos = 0;
                for (var i = 0; i < parts.Length; i++)
                {
                    var part = parts[i];
                    if (part.Length == 0) continue;
                    if (i == 0)
                    {
                        if (!value.StartsWith(part, StringComparison.OrdinalIgnoreCase)) return false;
                        pos = part.Length;
                        continue;
                    }
                    if (i == parts.Length - 1)
                    {
                        return value.Length - pos >= part.Length && value.EndsWith(part, StringComparison.OrdinalIgnoreCase);
                    }
                    var found = value.IndexOf(part, pos, StringComparison.OrdinalIgnoreCase);
                    if (found < 0) return false;
                    pos = found + part.Length;
                }
                return true;
            }
        }
    }
}
