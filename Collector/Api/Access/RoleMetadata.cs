namespace Collector.Api.Access;

/// <summary>Endpoint metadata: the role a route needs (routes without it need <see cref="ApiRole.Read"/>).</summary>
internal sealed record RoleMetadata(ApiRole Role)
{
    public static readonly RoleMetadata Admin = new(ApiRole.Admin);
}
