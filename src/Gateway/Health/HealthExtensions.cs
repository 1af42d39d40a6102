namespace Gateway.Health;

public static class HealthExtensions
{
    public static WebApplicationBuilder AddGatewayHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DestinationHealthLog>();
        return builder;
    }
}
