<?php
// ElkArte test bed (tests/engines/php/elkarte.py), run with the PHP CLI on the installed test copy:
// the forum's settings, members, boards, topics and replies made through ElkArte's own functions
// (updateSettings, registerMember, createBoard, createPost), as its admin and posting screens call them.
// Usage: php elkarte_seed.php SITE < {"settings": {...}, "users": [names], "boards": [names],
//                                       "threads": [{"board": n, "title", "posts": [{"author", "text", "time", "quotes"?}]}]}
// Prints {"seeded": {"topics": n, "messages": n}}.
if (PHP_SAPI !== 'cli')
	exit("cli only\n");

$site = rtrim($argv[1], '/');
$spec = json_decode(stream_get_contents(STDIN), true);
$_SERVER['REMOTE_ADDR'] = '127.0.0.1';
$_SERVER['HTTP_HOST'] = '127.0.0.1';
chdir($site);
require_once($site . '/SSI.php');
require_once(SUBSDIR . '/Members.subs.php');
require_once(SUBSDIR . '/Boards.subs.php');
require_once(SUBSDIR . '/Post.subs.php');

global $user_info, $modSettings;
updateSettings($spec['settings']);
// The admin (member 1, made by the installer) is the one who acts, as on the admin screens.
$user_info = array_merge($user_info, array('id' => 1, 'is_guest' => false, 'is_admin' => true, 'groups' => array(1),
	'username' => 'admin', 'name' => 'admin', 'query_see_board' => '1=1', 'query_wanna_see_board' => '1=1'));

$members = array('admin' => 1);
foreach ($spec['users'] as $n => $name)
{
	$regOptions = array('interface' => 'admin', 'username' => $name, 'email' => 'user' . $n . '@example.com',
		'password' => 'forumcrawl-user', 'password_check' => 'forumcrawl-user', 'check_reserved_name' => false,
		'check_password_strength' => false, 'check_email_ban' => false, 'send_welcome_email' => false,
		'require' => 'nothing', 'memberGroup' => 0);
	$id = registerMember($regOptions, 'register');
	if (empty($id))
	{
		$errors = ElkArte\Errors\ErrorContext::context('register', 0)->prepareErrors();
		fwrite(STDERR, 'registerMember failed for ' . $name . ': ' . print_r($errors, true));
		exit(1);
	}
	$members[$name] = (int) $id;
}

$db = database();
$request = $db->query('', 'SELECT MIN(id_cat) FROM {db_prefix}categories', array());
list ($category) = $db->fetch_row($request);
$board_ids = array();  // (not $boards: createBoard keeps its own global of that name)
foreach ($spec['boards'] as $name)
	$board_ids[] = createBoard(array('board_name' => $name, 'board_description' => '', 'target_category' => (int) $category,
		'move_to' => 'bottom', 'access_groups' => array(-1, 0), 'deny_groups' => array()));

$messages = 0;
foreach ($spec['threads'] as $t)
{
	$topic = 0;
	$ids = array();
	foreach ($t['posts'] as $i => $p)
	{
		$body = Util::htmlspecialchars($p['text'], ENT_QUOTES);
		if (isset($p['quotes']))
		{
			// (what the editor's quote button writes: the quoted message's author, link and time)
			$q = $t['posts'][$p['quotes']];
			$body = '[quote author=' . $q['author'] . ' link=msg=' . $ids[$p['quotes']] . ' date=' . $q['time'] . ']'
				. Util::htmlspecialchars($q['text'], ENT_QUOTES) . "[/quote]\n" . $body;
		}
		preparsecode($body);
		$msgOptions = array('subject' => ($i == 0 ? '' : 'Re: ') . Util::htmlspecialchars($t['title'], ENT_QUOTES),
			'body' => $body, 'icon' => 'xx', 'smileys_enabled' => true, 'approved' => true);
		$topicOptions = array('id' => $topic, 'board' => $board_ids[$t['board']], 'mark_as_read' => false);
		$posterOptions = array('id' => $members[$p['author']], 'name' => $p['author'], 'email' => '',
			'update_post_count' => true, 'ip' => '127.0.0.1', 'time' => (int) $p['time']);
		if (!createPost($msgOptions, $topicOptions, $posterOptions))
		{
			fwrite(STDERR, 'createPost failed in ' . $t['title'] . "\n");
			exit(1);
		}
		$topic = $topicOptions['id'];
		$ids[$i] = $msgOptions['id'];
		$messages++;
	}
}
echo json_encode(array('seeded' => array('topics' => count($spec['threads']), 'messages' => $messages))), "\n";
