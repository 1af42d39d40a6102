using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Configuration.ClusterValidators;

namespace Gateway.Health;

/// <summary>
/// Refuses invalid <c>RiseFall.*</c> and <c>OutlierDetection.*</c> cluster metadata, naming the cluster. As a
/// YARP cluster validator it runs for <c>--check</c>, at start-up and on every reload.
/// </summary>
internal sealed class HealthSettingsValidator : IClusterValidator
{
    public ValueTask ValidateAsync(ClusterConfig cluster, IList<Exception> errors)
    {
        var problems = new List<string>();
        HealthSettings.Parse(cluster, problems);
        foreach (var problem in problems)
        {
            errors.Add(new ArgumentException(problem));
        }

        return ValueTask.CompletedTask;
    }
}
