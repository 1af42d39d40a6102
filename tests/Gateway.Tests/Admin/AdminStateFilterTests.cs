using Gateway.Admin;
using Yarp.ReverseProxy.Model;

namespace Gateway.Tests.Admin;

public sealed class AdminStateFilterTests
{
    private readonly DestinationAdminStates _states = new();
    private readonly ClusterState _cluster = new("web");
    private readonly DestinationState[] _destinations;

    public AdminStateFilterTests()
    {
        _destinations = new[] { "a", "b", "c" }.Select(id => new DestinationState(id)).ToArray();
        foreach (var destination in _destinations)
        {
            _cluster.Destinations[destination.DestinationId] = destination;
        }

        _cluster.DestinationsState = new ClusterDestinationsState(_destinations, _destinations);
    }

    [Fact]
    public void Filter_AllReady_ReturnsSameList()
    {
        var filter = new AdminStateFilter(_states);

        Assert.Same(_destinations, filter.Filter(_cluster, _destinations));
    }

    [Theory]
    [InlineData(AdminState.Drain)]
    [InlineData(AdminState.Maint)]
    public void Filter_DrainOrMaint_LeavesDestinationOut(AdminState state)
    {
        var filter = new AdminStateFilter(_states);
        _states.Set("web", "b", state);

        var selectable = filter.Filter(_cluster, _destinations);

        Assert.Equal(["a", "c"], selectable.Select(d => d.DestinationId));
    }

    [Fact]
    public void Filter_UnchangedStatesAndList_ReturnsCachedListInstance()
    {
        var filter = new AdminStateFilter(_states);
        _states.Set("web", "a", AdminState.Drain);

        var first = filter.Filter(_cluster, _destinations);
        var second = filter.Filter(_cluster, _destinations);

        Assert.Same(first, second);
    }

    [Fact]
    public void Filter_StateChanges_RebuildsList()
    {
        var filter = new AdminStateFilter(_states);
        _states.Set("web", "a", AdminState.Drain);
        var before = filter.Filter(_cluster, _destinations);

        _states.Set("web", "a", AdminState.Ready);

        Assert.Same(_destinations, filter.Filter(_cluster, _destinations));
        Assert.Equal(2, before.Count);
    }

    [Fact]
    public void Filter_NewAvailableList_RebuildsFromIt()
    {
        var filter = new AdminStateFilter(_states);
        _states.Set("web", "a", AdminState.Maint);
        filter.Filter(_cluster, _destinations);
        var healthy = new[] { _destinations[0], _destinations[2] };

        var selectable = filter.Filter(_cluster, healthy);

        Assert.Equal(["c"], selectable.Select(d => d.DestinationId));
    }

    [Fact]
    public void Filter_EveryDestinationOut_ReturnsEmptyList()
    {
        var filter = new AdminStateFilter(_states);
        _states.Set("web", "a", AdminState.Maint);
        _states.Set("web", "b", AdminState.Drain);
        _states.Set("web", "c", AdminState.Drain);

        Assert.Empty(filter.Filter(_cluster, _destinations));
    }

    [Fact]
    public void Filter_OtherClusterSameIds_Unaffected()
    {
        var filter = new AdminStateFilter(_states);
        _states.Set("api", "a", AdminState.Maint);

        Assert.Same(_destinations, filter.Filter(_cluster, _destinations));
    }

    [Fact]
    public void Filter_PinnedToDrainingDestination_KeepsIt()
    {
        var filter = new AdminStateFilter(_states);
        _states.Set("web", "b", AdminState.Drain);

        Assert.Same(_destinations[1], filter.Filter(_cluster, _destinations[1]));
    }

    [Fact]
    public void Filter_PinnedToDestinationInMaintenance_OffersTheOthers()
    {
        var filter = new AdminStateFilter(_states);
        _states.Set("web", "b", AdminState.Maint);
        _states.Set("web", "c", AdminState.Drain);

        var selectable = filter.Filter(_cluster, _destinations[1]);

        Assert.Equal(["a"], selectable.Select(d => d.DestinationId));
    }

    [Fact]
    public void Filter_PinnedWhileOtherDestinationInMaintenance_KeepsPin()
    {
        var filter = new AdminStateFilter(_states);
        _states.Set("web", "a", AdminState.Maint);

        Assert.Same(_destinations[1], filter.Filter(_cluster, _destinations[1]));
    }

    [Fact]
    public void Filter_Warm_AllocatesNothing()
    {
        var filter = new AdminStateFilter(_states);
        _states.Set("web", "b", AdminState.Drain);
        filter.Filter(_cluster, _destinations);
        filter.Filter(_cluster, _destinations[0]);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            filter.Filter(_cluster, _destinations);
            filter.Filter(_cluster, _destinations[0]);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
