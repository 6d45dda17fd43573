// Passwords are stored only as salted PBKDF2-SHA256 hashes: "pbkdf2-sha256$<iterations>$<salt>$<hash>".
using System;
using System.Net;
using System.Security;
using System.Security.Cryptography;

namespace ExoConnect.Sandbox
{
    public static class Passwords
    {
        private const int Iterations = 100_000;
        private const int SaltBytes = 16;
        private const int HashBytes = 32;

        public static string Hash(string password)
        {
            var salt = RandomNumberGenerator.GetBytes(SaltBytes);
            var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, Iterations, HashAlgorithmName.SHA256, HashBytes);
            return $"pbkdf2-sha256${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
        }

        public static string Hash(SecureString password) => Hash(new NetworkCredential(string.Empty, password).Password);

        public static bool Verify(SecureString password, string encoded)
        {
            if (password == null || string.IsNullOrEmpty(encoded)) return false;
            return Verify(new NetworkCredential(string.Empty, password).Password, encoded);
        }

        private static bool Verify(string password, string encoded)
        {
            var parts = encoded.Split('$');
            if (parts.Length != 4 || parts[0] != "pbkdf2-sha256" || !int.TryParse(parts[1], out var iterations)) return false;
            var salt = Convert.FromBase64String(parts[2]);
            var expected = Convert.FromBase64String(parts[3]);
            var actual = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, expected.Length);
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
    }
}
