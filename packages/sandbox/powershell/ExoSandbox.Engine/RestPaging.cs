// Paging for the REST face. A Get- cmdlet run by an engine worker hands back its open query (PagedQuery) instead of
// writing every result; the worker answers one page per request from it and keeps it between requests under a
// one-shot cursor token (CursorTable), so that paging 100,000 mailboxes never materialises them all.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json;

namespace ExoConnect.Sandbox
{
    /// <summary>A query capped at ResultSize, read page by page; the cap's warning comes with the last page.</summary>
    public sealed class PagedQuery
    {
        private readonly RecipientQuery _query;
        private readonly long _limit;
        private readonly string _warning;
        private readonly JsonEncodedText[] _names;
        private long _written;

        public PagedQuery(RecipientQuery query, long limit, string warning)
        {
            _query = query ?? throw new ArgumentNullException(nameof(query));
            _limit = limit;
            _warning = warning;
            _names = query.View.Select(n => JsonEncodedText.Encode(n)).ToArray();
        }

        /// <summary>
        /// Writes the next results as a JSON array, at most <paramref name="max"/> and never past ResultSize: each
        /// object has the properties Project gives the PSSession face (the same view, read by the same getters), in
        /// the same order, without the cost of making PSObjects.
        /// </summary>
        public void WriteNext(Utf8JsonWriter w, int max)
        {
            var take = (int)Math.Min(Math.Max(1, max), _limit - _written);
            var page = take > 0 ? _query.NextRecords(take) : new List<RecipientRecord>();
            _written += page.Count;
            var view = _query.View;
            w.WriteStartArray();
            foreach (var r in page)
            {
                w.WriteStartObject();
                for (var i = 0; i < view.Length; i++)
                {
                    w.WritePropertyName(_names[i]);
                    RestJson.WriteValue(w, Properties.Get(r, _query.Source, view[i]), 1);
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }

        /// <summary>Whether a next page exists: more results, and ResultSize not reached.</summary>
        public bool HasNextPage => _written < _limit && _query.HasMore;

        /// <summary>
        /// Once there is no next page: the cmdlet's warning when ResultSize cut the results short (the text
        /// Write-ExoSandboxQuery writes for the PSSession face), else null.
        /// </summary>
        public string FinalWarning => _written >= _limit && _query.HasMore ? _warning : null;
    }

    /// <summary>
    /// The open queries of one worker, each under a token that serves one page: the next page gets a new token, so a
    /// replayed token never skips results. Bounded (the least recently used query goes first) and expiring when idle.
    /// Used from the worker's one request thread only.
    /// </summary>
    public sealed class CursorTable
    {
        private sealed class Entry
        {
            public PagedQuery Query;
            public string Owner;
            public DateTime LastUsedUtc;
        }

        private readonly Dictionary<string, Entry> _entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        private readonly int _capacity;
        private readonly TimeSpan _idle;

        public CursorTable(int capacity, TimeSpan idle)
        {
            if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity));
            _capacity = capacity;
            _idle = idle;
        }

        public int Count => _entries.Count;

        /// <summary>Keeps <paramref name="query"/> for <paramref name="owner"/> (a caller and cmdlet); returns its token.</summary>
        public string Add(PagedQuery query, string owner)
        {
            Sweep();
            while (_entries.Count >= _capacity)
            {
                _entries.Remove(_entries.OrderBy(e => e.Value.LastUsedUtc).First().Key);
            }
            var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
            _entries[token] = new Entry { Query = query, Owner = owner, LastUsedUtc = DateTime.UtcNow };
            return token;
        }

        /// <summary>Removes and returns the query under <paramref name="token"/>; null when unknown, expired or not the owner's.</summary>
        public PagedQuery Take(string token, string owner)
        {
            Sweep();
            if (token == null || !_entries.TryGetValue(token, out var entry)) return null;
            if (!string.Equals(entry.Owner, owner, StringComparison.Ordinal)) return null;
            _entries.Remove(token);
            return entry.Query;
        }

        /// <summary>Forgets queries idle for longer than the expiry.</summary>
        public void Sweep()
        {
            var cutoff = DateTime.UtcNow - _idle;
            foreach (var stale in _entries.Where(e => e.Value.LastUsedUtc < cutoff).Select(e => e.Key).ToList())
            {
                _entries.Remove(stale);
            }
        }
    }
}
