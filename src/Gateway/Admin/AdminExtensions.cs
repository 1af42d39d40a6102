namespace Gateway.Admin;

public static class AdminExtensions
{
    public static WebApplicationBuilder AddGatewayAdmin(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DestinationAdminStates>();
        return builder;
    }
}
