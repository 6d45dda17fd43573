// One generation of the tenant, immutable and shared between calls; identity lookups are indexed on first use.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace ExoConnect.Sandbox
{
    public sealed class TenantSnapshot
    {
        private readonly Dictionary<Guid, RecipientRecord> _byGuid;
        private Dictionary<string, List<RecipientRecord>> _byKey;
        private readonly object _indexLock = new object();

        public TenantSnapshot(string directory, TenantManifest manifest, List<RecipientRecord> records)
        {
            Directory = directory;
            Manifest = manifest;
            records.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
            Recipients = records;
            _byGuid = new Dictionary<Guid, RecipientRecord>(records.Count);
            foreach (var r in records) _byGuid[r.Guid] = r;
        }

        public string Directory { get; }

        public TenantManifest Manifest { get; }

        /// <summary>All recipients in creation order.</summary>
        public IReadOnlyList<RecipientRecord> Recipients { get; }

        public bool ContainsGuid(Guid id) => _byGuid.ContainsKey(id);

        public RecipientRecord GetByGuid(Guid id) => _byGuid.TryGetValue(id, out var r) ? r : null;

        public int MailboxCount => Recipients.Count(r => r.IsMailbox);

        public AcceptedDomainRecord DomainOf(string address)
        {
            var at = address?.LastIndexOf('@') ?? -1;
            if (at < 0) return null;
            var domain = address.Substring(at + 1);
            return Manifest.AcceptedDomains.FirstOrDefault(d => string.Equals(d.DomainName, domain, StringComparison.OrdinalIgnoreCase));
        }

        /// <summary>The mailbox user whose UserPrincipalName is <paramref name="upn"/>, or null.</summary>
        public RecipientRecord FindAccount(string upn)
        {
            if (string.IsNullOrEmpty(upn)) return null;
            return Lookup(upn).FirstOrDefault(r => r.IsMailbox && string.Equals(r.UserPrincipalName, upn, StringComparison.OrdinalIgnoreCase));
        }

        /// <summary>
        /// Exchange identity resolution: GUID, ExchangeGuid, ExternalDirectoryObjectId, Name, Alias, UserPrincipalName,
        /// any e-mail address, DistinguishedName; "*" wildcards match Name and Alias.
        /// </summary>
        public List<RecipientRecord> Resolve(string identity, Func<RecipientRecord, bool> scope)
        {
            identity = (identity ?? string.Empty).Trim();
            if (identity.IndexOf('*') >= 0)
            {
                var pattern = new WildcardPattern(identity, WildcardOptions.IgnoreCase);
                return Recipients.Where(r => scope(r) && (pattern.IsMatch(r.Name ?? string.Empty) || pattern.IsMatch(r.Alias ?? string.Empty))).ToList();
            }
            return Lookup(identity).Where(scope).Distinct().OrderBy(r => r.Sequence).ToList();
        }

        private IEnumerable<RecipientRecord> Lookup(string key)
        {
            var index = Index();
            if (index.TryGetValue(key, out var hits)) return hits;
            var colon = key.IndexOf(':');
            if (colon > 0 && colon < 5 && index.TryGetValue(key.Substring(colon + 1), out hits)) return hits;
            return Array.Empty<RecipientRecord>();
        }

        private Dictionary<string, List<RecipientRecord>> Index()
        {
            lock (_indexLock)
            {
                if (_byKey != null) return _byKey;
                var index = new Dictionary<string, List<RecipientRecord>>(Recipients.Count * 6, StringComparer.OrdinalIgnoreCase);
                void Add(string key, RecipientRecord r)
                {
                    if (string.IsNullOrEmpty(key)) return;
                    if (!index.TryGetValue(key, out var list)) index[key] = list = new List<RecipientRecord>(1);
                    if (!list.Contains(r)) list.Add(r);
                }
                foreach (var r in Recipients)
                {
                    Add(r.Guid.ToString(), r);
                    if (r.ExchangeGuid != Guid.Empty) Add(r.ExchangeGuid.ToString(), r);
                    Add(r.Name, r);
                    Add(r.Alias, r);
                    Add(r.UserPrincipalName, r);
                    Add(Properties.DistinguishedName(r, this), r);
                    foreach (var address in r.EmailAddresses)
                    {
                        var colon = address.IndexOf(':');
                        Add(colon >= 0 ? address.Substring(colon + 1) : address, r);
                    }
                }
                return _byKey = index;
            }
        }
    }
}
