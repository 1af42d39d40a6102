using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Gateway.RateLimiting;

public static class RateLimitingExtensions
{
    /// <summary>
    /// ASP.NET Core's rate limiter with one policy per <c>Gateway:RateLimits</c> entry, validated at start-up
    /// and by <c>--check</c>. Routes attach a policy with YARP's <c>RateLimiterPolicy</c>; YARP refuses a route
    /// that names a policy that does not exist. The policies are read once at start-up: changing
    /// <c>Gateway:RateLimits</c> takes a restart, while which routes use them reloads with the routes.
    /// </summary>
    public static WebApplicationBuilder AddGatewayRateLimiting(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>()
            .Configure<IConfiguration>((options, configuration) => options.Bind(configuration))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IServiceProvider>((limiter, services) =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            var options = TryGetValidOptions(services);
            foreach (var (name, settings) in options?.Policies ?? [])
            {
                limiter.AddPolicy(name, new ClientIpRateLimiterPolicy(name, settings));
            }
        });
        return builder;
    }

    /// <summary>After the client IP is resolved (the partition key) and after routing (the route names the policy).</summary>
    public static WebApplication UseGatewayRateLimiting(this WebApplication app)
    {
        app.UseRateLimiter();
        return app;
    }

    /// <summary>
    /// Invalid policies are reported by options validation, with every other configuration error; YARP's
    /// route validation, which builds the rate limiter's options, must not fail on them first.
    /// </summary>
    private static RateLimitOptions? TryGetValidOptions(IServiceProvider services)
    {
        try
        {
            return services.GetRequiredService<IOptions<RateLimitOptions>>().Value;
        }
        catch (OptionsValidationException)
        {
            return null;
        }
    }
}
