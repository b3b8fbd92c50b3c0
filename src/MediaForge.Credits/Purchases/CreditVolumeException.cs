namespace MediaForge.Credits;

/// <summary>Thrown when a volume purchase is out of bounds or not offered for the package (see <see cref="CreditVolumeOptions"/>).</summary>
public sealed class CreditVolumeException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errorCode">The stable error code.</param>
    /// <param name="message">What is wrong, for people.</param>
    public CreditVolumeException(string errorCode, string message)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    /// <summary>
    /// A stable error code: <c>invalid_quantity</c>, <c>invalid_credits</c>, <c>quantity_and_credits</c>,
    /// <c>amount_too_large</c> or <c>volume_not_available</c> (a free or once-per-user package).
    /// </summary>
    public string ErrorCode { get; }
}
