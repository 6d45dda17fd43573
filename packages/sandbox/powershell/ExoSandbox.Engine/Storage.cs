// Files: atomic writes (temporary file, fsync, rename) and the tenant lock (an exclusive open of .lock, which
// .NET takes as flock(LOCK_EX) on Unix; the kernel releases it when the holder dies, so a killed writer never
// leaves the tenant locked).
using System;
using System.Diagnostics;
using System.IO;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;

namespace ExoConnect.Sandbox
{
    public static class SandboxJson
    {
        public static readonly JsonSerializerOptions Options = new JsonSerializerOptions
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = false,
        };

        public static readonly JsonSerializerOptions Indented = new JsonSerializerOptions
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = true,
        };
    }

    public static class AtomicFile
    {
        public const string TempPrefix = ".tmp-";

        /// <summary>Writes bytes to a temporary file in the same directory, flushes them to disk, then renames.</summary>
        public static void Write(string path, Action<Stream> write)
        {
            var dir = Path.GetDirectoryName(path);
            var temp = Path.Combine(dir, TempPrefix + Guid.NewGuid().ToString("N"));
            try
            {
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    write(stream);
                    stream.Flush(true);
                }
                MoveOver(temp, path);
            }
            catch
            {
                try { File.Delete(temp); } catch (IOException) { }
                throw;
            }
        }

        /// <summary>Renames over the target; on Windows a reader holding the old file open makes that fail briefly.</summary>
        private static void MoveOver(string source, string target)
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    File.Move(source, target, true);
                    return;
                }
                catch (Exception e) when ((e is IOException || e is UnauthorizedAccessException) && attempt < 50 && OperatingSystem.IsWindows())
                {
                    Thread.Sleep(20);
                }
            }
        }

        public static void WriteJson<T>(string path, T value, JsonSerializerOptions options)
        {
            Write(path, stream => JsonSerializer.Serialize(stream, value, options));
        }
    }

    public sealed class TenantLock : IDisposable
    {
        public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);
        private FileStream _stream;

        private TenantLock(FileStream stream) { _stream = stream; }

        public static TenantLock Acquire(string tenantDir) => Acquire(tenantDir, DefaultTimeout);

        public static TenantLock Acquire(string tenantDir, TimeSpan timeout)
        {
            Directory.CreateDirectory(tenantDir);
            var path = Path.Combine(tenantDir, ".lock");
            var watch = Stopwatch.StartNew();
            var delay = 2;
            while (true)
            {
                try
                {
                    return new TenantLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
                }
                catch (IOException e) when (IsContention(e) && watch.Elapsed < timeout)
                {
                    Thread.Sleep(delay);
                    delay = Math.Min(delay * 2, 50);
                }
                catch (IOException e) when (IsContention(e))
                {
                    throw new TimeoutException(
                        $"The sandbox tenant at '{tenantDir}' stayed locked by another process for {timeout.TotalSeconds:0} seconds.", e);
                }
            }
        }

        /// <summary>
        /// True when another process holds the lock (EWOULDBLOCK on Unix, a sharing or lock violation on Windows). Any
        /// other IOException (a read-only file system, a full disk) fails at once: waiting would not help.
        /// </summary>
        private static bool IsContention(IOException e)
        {
            if (OperatingSystem.IsWindows()) return e.HResult == unchecked((int)0x80070020) || e.HResult == unchecked((int)0x80070021);
            return e.HResult == 11 || (OperatingSystem.IsMacOS() && e.HResult == 35);
        }

        public void Dispose()
        {
            var s = Interlocked.Exchange(ref _stream, null);
            s?.Dispose();
        }
    }
}
