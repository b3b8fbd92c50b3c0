namespace MediaForge.Credits.AspNetCore.Endpoints;

/// <summary>The signed-in user's id is one the ledger refuses; the endpoints answer it 400 <c>invalid_user_id</c>.</summary>
internal sealed class CreditUserIdRefusedException(string message) : ArgumentException(message, "userId");
