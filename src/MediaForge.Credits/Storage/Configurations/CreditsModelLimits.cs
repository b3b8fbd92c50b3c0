namespace MediaForge.Credits.Storage.Configurations;

/// <summary>Column lengths shared by several entities.</summary>
internal static class CreditsModelLimits
{
    public const int UserId = 128;
    public const int IdempotencyKey = 200;
    public const int Reference = 255;
    public const int Name = 64;
    public const int Description = 500;
    public const int EnumName = 32;
}
