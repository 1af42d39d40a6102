namespace Gateway.Admin;

/// <summary>
/// Contributes endpoints to the admin listener, which is a server of its own: the only way onto it, so that
/// nothing mapped here is ever reachable from the public listener. Register implementations as singletons
/// in the gateway's services; they are resolved there and can use any gateway service.
/// </summary>
public interface IAdminEndpointSource
{
    void MapEndpoints(IEndpointRouteBuilder endpoints);
}
