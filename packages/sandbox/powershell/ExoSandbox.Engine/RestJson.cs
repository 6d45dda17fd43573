// JSON for the REST face's engine workers: request parameters become the values a PowerShell splat would hold
// (hashtables, arrays, strings, numbers, booleans), and cmdlet output becomes plain JSON objects with the cmdlet's
// PascalCase properties. Written here rather than with ConvertTo-Json, which buffers all input and is slow.
using System;
using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Security;
using System.Text.Json;

namespace ExoConnect.Sandbox
{
    public static class RestJson
    {
        /// <summary>How deep output is written; deeper values become their text (cmdlet output is flat).</summary>
        public const int MaxDepth = 8;

        /// <summary>The admin API's marker of a hashtable parameter; never a key of the hashtable itself.</summary>
        public const string ODataTypeKey = "@odata.type";

        /// <summary>A JSON value as PowerShell data: objects become case-insensitive hashtables, arrays object[].</summary>
        public static object ToValue(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
                    foreach (var p in e.EnumerateObject())
                    {
                        if (p.NameEquals(ODataTypeKey)) continue;
                        table[p.Name] = ToValue(p.Value);
                    }
                    return table;
                case JsonValueKind.Array:
                    var list = new object[e.GetArrayLength()];
                    var i = 0;
                    foreach (var item in e.EnumerateArray()) list[i++] = ToValue(item);
                    return list;
                case JsonValueKind.String: return e.GetString();
                case JsonValueKind.Number:
                    if (e.TryGetInt32(out var n)) return n;
                    if (e.TryGetInt64(out var l)) return l;
                    return e.GetDouble();
                case JsonValueKind.True: return true;
                case JsonValueKind.False: return false;
                default: return null;
            }
        }

        public static SecureString ToSecureString(string text)
        {
            var secure = new SecureString();
            foreach (var c in text) secure.AppendChar(c);
            secure.MakeReadOnly();
            return secure;
        }

        /// <summary>
        /// One output object: a PSObject's properties in order (a plain .NET value is written as itself). Dates are
        /// ISO 8601 ("o"), Guids and enums strings, lists arrays, Exchange's own types their text.
        /// </summary>
        public static void WriteValue(Utf8JsonWriter w, object value, int depth = 0)
        {
            if (value is PSObject pso)
            {
                if (pso.BaseObject is PSCustomObject)
                {
                    WriteProperties(w, pso, depth);
                    return;
                }
                value = pso.BaseObject;
            }
            switch (value)
            {
                case null: w.WriteNullValue(); return;
                case string s: w.WriteStringValue(s); return;
                case bool b: w.WriteBooleanValue(b); return;
                case int i: w.WriteNumberValue(i); return;
                case long l: w.WriteNumberValue(l); return;
                case double d when double.IsFinite(d): w.WriteNumberValue(d); return;
                case float f when float.IsFinite(f): w.WriteNumberValue(f); return;
                case decimal m: w.WriteNumberValue(m); return;
                case byte or sbyte or short or ushort or uint: w.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture)); return;
                case ulong u: w.WriteNumberValue(u); return;
                case Guid g: w.WriteStringValue(g); return;
                case DateTime t: w.WriteStringValue(t.ToString("o", CultureInfo.InvariantCulture)); return;
                case DateTimeOffset o: w.WriteStringValue(o.ToString("o", CultureInfo.InvariantCulture)); return;
                case Enum en: w.WriteStringValue(en.ToString()); return;
                case SecureString: w.WriteNullValue(); return;
            }
            if (depth >= MaxDepth)
            {
                w.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                return;
            }
            if (value is IDictionary dictionary)
            {
                w.WriteStartObject();
                foreach (DictionaryEntry entry in dictionary)
                {
                    w.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty);
                    WriteValue(w, entry.Value, depth + 1);
                }
                w.WriteEndObject();
                return;
            }
            if (value is IEnumerable items)
            {
                w.WriteStartArray();
                foreach (var item in items) WriteValue(w, item, depth + 1);
                w.WriteEndArray();
                return;
            }
            w.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
        }

        private static void WriteProperties(Utf8JsonWriter w, PSObject pso, int depth)
        {
            w.WriteStartObject();
            // In order, as the cmdlet made them (the engine's objects hold note properties only).
            foreach (var member in pso.Properties)
            {
                w.WritePropertyName(member.Name);
                object value;
                try { value = member.Value; }
                catch (GetValueException) { value = null; }
                if (depth >= MaxDepth) w.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                else WriteValue(w, value, depth + 1);
            }
            w.WriteEndObject();
        }
    }
}
