using System.Text.Json.Serialization;

namespace MediaForge.Credits.AspNetCore;

/// <summary>One team of the signed-in user in <c>GET /api/credits/teams</c>.</summary>
/// <param name="Id">The team id (for the other team routes and <c>wallet="team:{id}"</c>).</param>
/// <param name="Name">The team's name.</param>
/// <param name="Status">Whether the team's wallet can be used.</param>
/// <param name="Role">The signed-in user's role in it.</param>
/// <param name="DefaultMemberLimit">The spending limit per period of members without their own, if any.</param>
public sealed record CreditTeamResponse(string Id, string Name, CreditTeamStatus Status, CreditTeamRole Role, long? DefaultMemberLimit);

/// <summary>Answer of <c>GET /api/credits/teams?page=&amp;pageSize=</c>.</summary>
/// <param name="Teams">This page of the teams the signed-in user belongs to, ordered by id.</param>
/// <param name="Page">The 1-based page number.</param>
/// <param name="PageSize">The page size asked for.</param>
/// <param name="TotalCount">The number of the user's teams over all pages.</param>
public sealed record CreditTeamsResponse(IReadOnlyList<CreditTeamResponse> Teams, int Page, int PageSize, long TotalCount);

/// <summary>Answer of <c>GET /api/credits/teams/{id}/balance</c>.</summary>
/// <param name="TeamId">The team.</param>
/// <param name="Name">The team's name.</param>
/// <param name="Status">Whether the team's wallet can be used.</param>
/// <param name="Role">The signed-in user's role in the team.</param>
/// <param name="Balance">Credits the team owns.</param>
/// <param name="Available">Credits spendable now.</param>
/// <param name="NextExpiration">The next credits to expire, if any of the team's credits expire.</param>
/// <param name="Categories">The team's balance split by category name, adding up to it.</param>
/// <param name="IsLowBalance">Whether the team's balance is below <c>Events:LowBalanceThreshold</c> (never with the threshold off).</param>
public sealed record CreditTeamBalanceResponse(string TeamId, string Name, CreditTeamStatus Status, CreditTeamRole Role, long Balance, long Available,
    CreditExpiration? NextExpiration = null, IReadOnlyDictionary<string, long>? Categories = null, bool IsLowBalance = false);

/// <summary>Answer of <c>GET /api/credits/teams/{id}/members</c>.</summary>
/// <param name="TeamId">The team.</param>
/// <param name="Role">The signed-in user's role in the team.</param>
/// <param name="Members">Every member for an owner or admin; only the signed-in user for a member. Ordered by user id.</param>
public sealed record CreditTeamMembersResponse(string TeamId, CreditTeamRole Role, IReadOnlyList<CreditTeamMember> Members);

/// <summary>Body of <c>PUT /api/credits/teams/{id}/members/{userId}/limit</c>; <c>limit</c> must be present.</summary>
/// <param name="Limit">Credits per limit period, 0 to <see cref="CreditLimits.MaxAmount"/>; <see langword="null"/>: the team's default.</param>
public sealed record SetCreditTeamMemberLimitRequest([property: JsonRequired] long? Limit);
