using System.Reflection;
using System.Runtime.CompilerServices;
using System.Xml.Linq;
using GitTheta.Core.Diagnostics;
using GitTheta.Core.Repositories;

namespace GitTheta.Core.Tests.Architecture;

/// <summary>
/// The public front door of the GitTheta package (docs/api.md): every public member is documented, and its signatures
/// name only front-door types and the BCL, so the engine behind it can become internal without breaking a caller.
/// </summary>
public class FrontDoorTests
{
    private static readonly Type[] FrontDoor =
    [
        typeof(ThetaRepository),
        typeof(ThetaCheckpoint),
        typeof(ThetaGroup),
        typeof(ThetaDiff),
        typeof(ThetaGroupChange),
        typeof(ThetaChangeKind),
    ];

    [Fact]
    public void Every_public_member_of_the_front_door_has_an_XML_comment()
    {
        var documented = XDocument.Load(Path.ChangeExtension(typeof(ThetaRepository).Assembly.Location, ".xml"))
            .Descendants("member").Select(m => (string)m.Attribute("name")!).ToList();

        var missing = new List<string>();
        foreach (var type in FrontDoor)
        {
            if (!documented.Contains($"T:{type.FullName}"))
            {
                missing.Add(type.FullName!);
            }

            foreach (var group in PublicMembers(type).GroupBy(m => (Kind: Prefix(m), m.Name)))
            {
                var name = group.Key.Name == ".ctor" ? "#ctor" : group.Key.Name;
                var id = $"{group.Key.Kind}:{type.FullName}.{name}";
                var entries = documented.Count(d => d == id || d.StartsWith(id + "(", StringComparison.Ordinal) || d.StartsWith(id + "``", StringComparison.Ordinal));
                if (entries < group.Count())
                {
                    missing.Add($"{type.Name}.{name} ({group.Count()} public, {entries} documented)");
                }
            }
        }

        Assert.True(missing.Count == 0, "Undocumented public members of the front door:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void The_front_door_names_only_its_own_types_ThetaException_and_the_BCL_in_public_signatures()
    {
        var allowed = FrontDoor.Append(typeof(ThetaException)).ToHashSet();
        var leaks = new List<string>();
        foreach (var type in FrontDoor)
        {
            foreach (var member in PublicMembers(type))
            {
                foreach (var used in SignatureTypes(member).SelectMany(Flatten))
                {
                    if (!used.IsGenericParameter && !allowed.Contains(used) && used.Namespace?.StartsWith("System", StringComparison.Ordinal) != true)
                    {
                        leaks.Add($"{type.Name}.{member.Name} uses {used.FullName}");
                    }
                }
            }
        }

        Assert.True(leaks.Count == 0, "Engine types in the public signatures of the front door:\n" + string.Join("\n", leaks.Distinct()));
    }

    [Fact]
    public void The_signature_check_sees_an_engine_type()
    {
        // A member that takes an engine type (here GitRepository, wrapped in a generic) must be seen by the check,
        // or the check above would pass by seeing nothing.
        var constructor = typeof(EngineLeak).GetConstructors().Single(c => c.IsPublic);
        Assert.Contains(typeof(GitTheta.Core.Git.GitRepository), SignatureTypes(constructor).SelectMany(Flatten));
        var method = typeof(EngineLeak).GetMethod(nameof(EngineLeak.Repositories))!;
        Assert.Contains(typeof(GitTheta.Core.Git.GitRepository), SignatureTypes(method).SelectMany(Flatten));
    }

    internal sealed class EngineLeak
    {
        public EngineLeak(GitTheta.Core.Git.GitRepository[] repositories) => _ = repositories;

        public IReadOnlyList<GitTheta.Core.Git.GitRepository> Repositories() => [];
    }

    /// <summary>Members a caller can use, as the compiler wrote them from source (no accessors, no record plumbing).</summary>
    private static IEnumerable<MemberInfo> PublicMembers(Type type) =>
        type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => m is not MethodBase { IsSpecialName: true } || m is ConstructorInfo)
            .Where(m => m is not FieldInfo { IsSpecialName: true })
            .Where(m => m.GetCustomAttribute<CompilerGeneratedAttribute>() is null);

    private static string Prefix(MemberInfo member) => member switch
    {
        PropertyInfo => "P",
        FieldInfo => "F",
        EventInfo => "E",
        Type => "T",
        _ => "M",
    };

    private static IEnumerable<Type> SignatureTypes(MemberInfo member) => member switch
    {
        MethodInfo method => method.GetParameters().Select(p => p.ParameterType).Append(method.ReturnType),
        ConstructorInfo constructor => constructor.GetParameters().Select(p => p.ParameterType),
        PropertyInfo property => [property.PropertyType],
        FieldInfo field => [field.FieldType],
        EventInfo @event => [@event.EventHandlerType!],
        _ => [],
    };

    private static IEnumerable<Type> Flatten(Type type)
    {
        if (type.HasElementType)
        {
            return Flatten(type.GetElementType()!);
        }

        return type.IsGenericType
            ? type.GetGenericArguments().SelectMany(Flatten).Prepend(type.GetGenericTypeDefinition())
            : [type];
    }
}
