using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace MediaForge.Credits.Storage;

/// <summary>Reads a stored <see cref="DateTime"/> as UTC; writes it unchanged (MySQL / MariaDB, see <see cref="CreditsDbContext"/>).</summary>
internal sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(value => value, value => DateTime.SpecifyKind(value, DateTimeKind.Utc));
