namespace Chaos;

/// <summary>
/// Which container runtime's log layout the run writes: docker json-file (renames <c>-json.log</c> to <c>.1</c>,
/// <c>.1</c> to <c>.2</c> …), CRI as kubelet rotates it (<c>0.log</c> to <c>0.log.&lt;stamp&gt;</c>), or both,
/// alternating.
/// </summary>
public enum ChaosFormats
{
    Both,
    Cri,
    Docker,
}
