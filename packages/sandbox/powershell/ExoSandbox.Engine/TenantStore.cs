// The tenant directory:
//   tenant.json                         manifest (settings, organization, domains, current shard files)
//   recipients/<kk>.<gen>-<rand>.json   immutable shards: recipients whose Guid starts with kk
//   sessions/                           one file per live session (SessionRegistry)
//   .lock                               writers' lock
// A write (under the lock) rewrites only the shards it touched, under new names, then renames a new manifest
// over the old one, then deletes what the old manifest alone referenced. Readers take no lock: they read the
// manifest and the shards it names (retrying if a writer deleted one meanwhile), and cache shards by file name,
// which never changes content.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace ExoConnect.Sandbox
{
    public sealed class TenantNotFoundException : Exception
    {
        public TenantNotFoundException(string dir)
            : base($"No sandbox tenant exists at '{dir}'. Create one with New-ExoSandboxTenant (or createTenant() from TypeScript).") { }
    }

    public sealed class TenantStore
    {
        public const string ManifestFile = "tenant.json";
        public const string RecipientsDir = "recipients";

        private static readonly object CacheLock = new object();
        private static readonly Dictionary<string, TenantSnapshot> SnapshotCache = new Dictionary<string, TenantSnapshot>(StringComparer.Ordinal);
        private static readonly Dictionary<string, List<RecipientRecord>> ShardCache = new Dictionary<string, List<RecipientRecord>>(StringComparer.Ordinal);

        public TenantStore(string directory)
        {
            if (string.IsNullOrWhiteSpace(directory)) throw new ArgumentException("A tenant directory is required.", nameof(directory));
            Directory = Path.GetFullPath(directory);
        }

        public string Directory { get; }

        public string ManifestPath => Path.Combine(Directory, ManifestFile);

        public bool Exists => File.Exists(ManifestPath);

        public static string ShardKey(Guid id) => id.ToString("N").Substring(0, 2);

        public TenantManifest ReadManifest()
        {
            try
            {
                return JsonSerializer.Deserialize<TenantManifest>(File.ReadAllBytes(ManifestPath), SandboxJson.Options);
            }
            catch (FileNotFoundException) { throw new TenantNotFoundException(Directory); }
            catch (DirectoryNotFoundException) { throw new TenantNotFoundException(Directory); }
        }

        /// <summary>The current generation, from cache when the manifest has not changed.</summary>
        public TenantSnapshot Load()
        {
            for (var attempt = 0; ; attempt++)
            {
                var manifest = ReadManifest();
                if (manifest.Format != TenantManifest.CurrentFormat)
                {
                    throw new InvalidDataException($"'{ManifestPath}' has format '{manifest.Format}'; this sandbox reads '{TenantManifest.CurrentFormat}'. Recreate the tenant with New-ExoSandboxTenant -Force.");
                }
                lock (CacheLock)
                {
                    if (SnapshotCache.TryGetValue(Directory, out var cached)
                        && cached.Manifest.TenantId == manifest.TenantId && cached.Manifest.Generation == manifest.Generation)
                    {
                        return cached;
                    }
                }
                try
                {
                    var records = new List<RecipientRecord>();
                    var used = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var file in manifest.Shards.Values)
                    {
                        var path = Path.Combine(Directory, RecipientsDir, file);
                        used.Add(path);
                        records.AddRange(ReadShard(path));
                    }
                    var snapshot = new TenantSnapshot(Directory, manifest, records);
                    lock (CacheLock)
                    {
                        SnapshotCache[Directory] = snapshot;
                        // Forget shards of this tenant that the new generation no longer names.
                        var prefix = Path.Combine(Directory, RecipientsDir) + Path.DirectorySeparatorChar;
                        foreach (var stale in ShardCache.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && !used.Contains(k)).ToList())
                        {
                            ShardCache.Remove(stale);
                        }
                    }
                    return snapshot;
                }
                catch (FileNotFoundException) when (attempt < 20)
                {
                    // A writer replaced a shard between our reading the manifest and the shard: read the new manifest.
                }
            }
        }

        private static List<RecipientRecord> ReadShard(string path)
        {
            lock (CacheLock)
            {
                if (ShardCache.TryGetValue(path, out var hit)) return hit;
            }
            var records = JsonSerializer.Deserialize<List<RecipientRecord>>(File.ReadAllBytes(path), SandboxJson.Options);
            lock (CacheLock)
            {
                ShardCache[path] = records;
            }
            return records;
        }

        /// <summary>Runs <paramref name="action"/> on the latest generation under the lock and commits its changes.</summary>
        public T Write<T>(Func<TenantTransaction, T> action)
        {
            using (TenantLock.Acquire(Directory))
            {
                var tx = new TenantTransaction(Load());
                var result = action(tx);
                if (tx.HasChanges) Commit(tx);
                return result;
            }
        }

        public void Write(Action<TenantTransaction> action)
        {
            Write<object>(tx => { action(tx); return null; });
        }

        private void Commit(TenantTransaction tx)
        {
            var old = tx.Base.Manifest;
            var manifest = CloneManifest(old);
            manifest.Generation = old.Generation + 1;
            manifest.UpdatedUtc = DateTime.UtcNow;
            manifest.NextSequence = tx.NextSequenceValue;
            manifest.Settings = tx.Settings.Clone();

            var byShard = new Dictionary<string, List<RecipientRecord>>(StringComparer.Ordinal);
            foreach (var key in tx.DirtyShards)
            {
                byShard[key] = new List<RecipientRecord>();
            }
            foreach (var r in tx.Base.Recipients)
            {
                var key = ShardKey(r.Guid);
                if (!byShard.TryGetValue(key, out var list)) continue;
                if (tx.Deleted.Contains(r.Guid)) continue;
                list.Add(tx.Changed.TryGetValue(r.Guid, out var changed) ? changed : r);
            }
            foreach (var added in tx.Changed.Values.Where(r => !tx.Base.ContainsGuid(r.Guid)))
            {
                byShard[ShardKey(added.Guid)].Add(added);
            }

            var replaced = new List<string>();
            foreach (var pair in byShard)
            {
                if (old.Shards.TryGetValue(pair.Key, out var previous)) replaced.Add(previous);
                if (pair.Value.Count == 0)
                {
                    manifest.Shards.Remove(pair.Key);
                    continue;
                }
                pair.Value.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
                var name = NewShardName(pair.Key, manifest.Generation);
                AtomicFile.WriteJson(Path.Combine(Directory, RecipientsDir, name), pair.Value, SandboxJson.Options);
                manifest.Shards[pair.Key] = name;
            }
            PublishManifest(manifest);
            foreach (var file in replaced)
            {
                TryDelete(Path.Combine(Directory, RecipientsDir, file));
            }
            SweepGarbage(manifest);
        }

        /// <summary>Replaces the whole tenant (create, reset). Caller holds the lock.</summary>
        public void ReplaceAll(TenantManifest manifest, IReadOnlyList<RecipientRecord> recipients)
        {
            System.IO.Directory.CreateDirectory(Path.Combine(Directory, RecipientsDir));
            manifest.Shards.Clear();
            foreach (var group in recipients.GroupBy(r => ShardKey(r.Guid)))
            {
                var list = group.OrderBy(r => r.Sequence).ToList();
                var name = NewShardName(group.Key, manifest.Generation);
                AtomicFile.WriteJson(Path.Combine(Directory, RecipientsDir, name), list, SandboxJson.Options);
                manifest.Shards[group.Key] = name;
            }
            PublishManifest(manifest);
            SweepGarbage(manifest);
        }

        private void PublishManifest(TenantManifest manifest)
        {
            AtomicFile.WriteJson(ManifestPath, manifest, SandboxJson.Indented);
        }

        /// <summary>Deletes temporary files and shards no manifest names: leftovers of writers that were killed.</summary>
        private void SweepGarbage(TenantManifest manifest)
        {
            var keep = new HashSet<string>(manifest.Shards.Values, StringComparer.Ordinal);
            var dir = Path.Combine(Directory, RecipientsDir);
            if (!System.IO.Directory.Exists(dir)) return;
            foreach (var path in System.IO.Directory.EnumerateFiles(dir))
            {
                if (!keep.Contains(Path.GetFileName(path))) TryDelete(path);
            }
            foreach (var path in System.IO.Directory.EnumerateFiles(Directory, AtomicFile.TempPrefix + "*"))
            {
                TryDelete(path);
            }
        }

        /// <summary>Checks that the manifest and every shard it names parse, and counts what they hold.</summary>
        public TenantIntegrity Verify()
        {
            var manifest = ReadManifest();
            var count = 0;
            var ids = new HashSet<Guid>();
            foreach (var file in manifest.Shards.Values)
            {
                var records = JsonSerializer.Deserialize<List<RecipientRecord>>(File.ReadAllBytes(Path.Combine(Directory, RecipientsDir, file)), SandboxJson.Options);
                foreach (var r in records)
                {
                    if (!ids.Add(r.Guid)) throw new InvalidDataException($"Recipient {r.Guid} appears twice.");
                    count++;
                }
            }
            var dir = Path.Combine(Directory, RecipientsDir);
            var unreferenced = System.IO.Directory.Exists(dir)
                ? System.IO.Directory.EnumerateFiles(dir).Count(p => !manifest.Shards.ContainsValue(Path.GetFileName(p)))
                : 0;
            return new TenantIntegrity { Generation = manifest.Generation, ShardCount = manifest.Shards.Count, RecipientCount = count, UnreferencedFileCount = unreferenced };
        }

        private static string NewShardName(string key, long generation) =>
            $"{key}.{generation}-{Guid.NewGuid().ToString("N").Substring(0, 8)}.json";

        private static void TryDelete(string path)
        {
            try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        private static TenantManifest CloneManifest(TenantManifest m)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(m, SandboxJson.Options);
            return JsonSerializer.Deserialize<TenantManifest>(bytes, SandboxJson.Options);
        }
    }

    public sealed class TenantIntegrity
    {
        public long Generation { get; set; }
        public int ShardCount { get; set; }
        public int RecipientCount { get; set; }
        public int UnreferencedFileCount { get; set; }
    }

    /// <summary>Changes to one generation, committed together.</summary>
    public sealed class TenantTransaction
    {
        internal readonly Dictionary<Guid, RecipientRecord> Changed = new Dictionary<Guid, RecipientRecord>();
        internal readonly HashSet<Guid> Deleted = new HashSet<Guid>();
        internal readonly HashSet<string> DirtyShards = new HashSet<string>(StringComparer.Ordinal);
        private bool _settingsChanged;

        internal TenantTransaction(TenantSnapshot snapshot)
        {
            Base = snapshot;
            Settings = snapshot.Manifest.Settings.Clone();
            NextSequenceValue = snapshot.Manifest.NextSequence;
        }

        public TenantSnapshot Base { get; }

        public TenantSettings Settings { get; }

        internal long NextSequenceValue { get; private set; }

        internal bool HasChanges => DirtyShards.Count > 0 || _settingsChanged;

        public long NextSequence() => NextSequenceValue++;

        public void MarkSettingsChanged() { _settingsChanged = true; }

        /// <summary>The record as this transaction sees it (its own changes first).</summary>
        public RecipientRecord Get(Guid id)
        {
            if (Deleted.Contains(id)) return null;
            if (Changed.TryGetValue(id, out var r)) return r;
            return Base.GetByGuid(id);
        }

        /// <summary>Adds or replaces a record. Pass a copy (Clone) of a snapshot record, never the shared instance.</summary>
        public void Put(RecipientRecord record)
        {
            Deleted.Remove(record.Guid);
            Changed[record.Guid] = record;
            DirtyShards.Add(TenantStore.ShardKey(record.Guid));
        }

        public void Delete(Guid id)
        {
            Changed.Remove(id);
            Deleted.Add(id);
            DirtyShards.Add(TenantStore.ShardKey(id));
        }

        /// <summary>Every record as this transaction sees it, in creation order.</summary>
        public IEnumerable<RecipientRecord> All()
        {
            foreach (var r in Base.Recipients)
            {
                if (Deleted.Contains(r.Guid)) continue;
                yield return Changed.TryGetValue(r.Guid, out var c) ? c : r;
            }
            foreach (var r in Changed.Values.Where(r => !Base.ContainsGuid(r.Guid)).OrderBy(r => r.Sequence))
            {
                yield return r;
            }
        }
    }
}
